"""Pages for units, staff and accounts. Views parse input, call a selector or a service, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from units import selectors, services, vntext
from units.forms import POSITIONS, AccountCreateForm, StaffFilterForm, StaffForm, StrictPasswordChangeForm
from units.models import Role, Unit, UnitVersion
from units.permissions import account_admin_required


def _page(request, qs):
    return Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- home -----------------------------------------------------------------------------------

def home(request):
    user = request.user
    year = request.school_year
    roots = selectors.scope_roots(user)
    if not roots:
        return render(request, "units/home_empty.html")
    root = roots[0]
    context = {"root": root}
    if root.kind in (Unit.Kind.DEPARTMENT, Unit.Kind.DISTRICT_OFFICE):
        rows = selectors.scope_overview(root, year)
        context.update(
            rows=rows,
            total_units=sum(r.unit_count for r in rows),
            total_staff=sum(r.staff_count for r in rows),
            total_accounts=sum(r.account_count for r in rows),
            without_account=selectors.units_without_account(user).count() if user.can_manage_accounts else None,
        )
        template = "units/home_department.html" if root.kind == Unit.Kind.DEPARTMENT else "units/home_district.html"
        return render(request, template, context)
    staff = selectors.staff_list(user, unit=root, school_year=year)
    context.update(page=_page(request, staff), teams=selectors.collectives_of(root).annotate(n=Count("members")))
    return render(request, "units/home_school.html", context)


# --- units ----------------------------------------------------------------------------------

def unit_list(request):
    query = request.GET.get("q", "").strip()
    level = request.GET.get("level", "")
    qs = selectors.units_visible_to(request.user)
    if query:
        qs = selectors.search_units(qs, query)
    if level:
        qs = qs.filter(level=level)
    qs = qs.select_related("parent").order_by("sort_key", "code")
    page = _page(request, qs)
    year = request.school_year
    states = selectors.unit_versions_as_of(year.start_year, [u.pk for u in page]) if year else {}
    rows = [(u, states.get(u.pk)) for u in page]
    return render(request, "units/unit_list.html", {
        "page": page, "rows": rows, "query": query, "level": level, "levels": Unit.Level.choices,
        "querystring": _query_without_page(request),
    })


def unit_detail(request, pk: int):
    unit = selectors.get_unit_for_user_or_404(request.user, pk)
    year = request.school_year
    ancestors = Unit.objects.filter(pk__in=[int(p) for p in unit.path.strip("/").split("/")]).order_by("depth")
    state = selectors.unit_as_of(unit, year.start_year) if year else None
    versions = UnitVersion.objects.filter(unit=unit).select_related("parent", "merged_into").order_by("from_year")
    overview = selectors.scope_overview(unit, year) if unit.kind != Unit.Kind.SCHOOL else []
    accounts = selectors.accounts_visible_to(request.user).filter(unit=unit).order_by("username")
    staff_count = selectors.staff_list(request.user, unit=unit, subtree=False, school_year=year).count()
    subtree_staff = sum(r.staff_count for r in overview)
    return render(request, "units/unit_detail.html", {
        "unit": unit, "ancestors": ancestors, "state": state, "versions": versions, "rows": overview,
        "accounts": accounts, "staff_count": staff_count, "subtree_staff": subtree_staff,
    })


# --- staff ----------------------------------------------------------------------------------

def staff_list(request):
    user = request.user
    unit = None
    subtree = request.GET.get("all") == "1"
    if request.GET.get("unit"):
        unit = selectors.get_unit_for_user_or_404(user, request.GET["unit"])
    elif user.unit and user.unit.kind in (Unit.Kind.SCHOOL, Unit.Kind.CENTER):
        unit = user.unit
    form = StaffFilterForm(request.GET or None, unit=unit)
    data = form.cleaned_data if form.is_valid() else {}
    team = data.get("team")
    qs = selectors.staff_list(
        user, unit=unit, subtree=subtree, school_year=request.school_year, query=data.get("q"),
        team_id=team.pk if team else None, order=data.get("sort") or "name",
    )
    return render(request, "units/staff_list.html", {
        "form": form, "unit": unit, "subtree": subtree, "page": _page(request, qs),
        "querystring": _query_without_page(request),
        "can_add": unit is not None and user.can_edit_staff_of(unit) and unit.pk == user.unit_id,
    })


def staff_detail(request, pk: int):
    staff = selectors.get_staff_for_user_or_404(request.user, pk)
    employments = staff.employments.select_related("unit").order_by("-start_date")
    from awards.history_selectors import staff_history  # awards depends on units, not the other way round

    return render(request, "units/staff_detail.html", {
        "staff": staff, "employments": employments, "can_edit": request.user.can_edit_staff_of(staff.unit),
        "changes": selectors.staff_changes(staff), "history": staff_history(request.user, staff),
    })


def staff_create(request):
    user = request.user
    unit = user.unit
    if unit is None or not user.can_edit_staff_of(unit):
        raise PermissionDenied("Bạn không có quyền thêm cán bộ.")
    form = StaffForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            staff = services.staff_create(unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"Đã thêm cán bộ {staff.full_name}.")
            return redirect("staff_detail", pk=staff.pk)
    return render(request, "units/staff_form.html", {"form": form, "unit": unit, "positions": POSITIONS})


def staff_edit(request, pk: int):
    staff = selectors.get_staff_for_user_or_404(request.user, pk)
    if not request.user.can_edit_staff_of(staff.unit):
        raise PermissionDenied("Bạn không có quyền sửa thông tin cán bộ này.")
    form = StaffForm(request.POST or None, instance=staff, unit=staff.unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(staff, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, "Đã lưu thay đổi.")
            return redirect("staff_detail", pk=staff.pk)
    return render(request, "units/staff_form.html", {
        "form": form, "unit": staff.unit, "staff": staff, "positions": POSITIONS,
    })


# --- accounts -------------------------------------------------------------------------------

@account_admin_required
def account_list(request):
    qs = selectors.accounts_visible_to(request.user).order_by("unit__path", "username")
    query = request.GET.get("q", "").strip()
    if query:
        in_unit = Q()
        for term in vntext.search_terms(query):
            in_unit &= Q(unit__search_name__contains=term)
        qs = qs.filter(Q(username__icontains=query) | in_unit)
    role = request.GET.get("role", "")
    if role:
        qs = qs.filter(role=role)
    return render(request, "units/account_list.html", {
        "page": _page(request, qs), "query": query, "role": role, "roles": Role.choices,
        "querystring": _query_without_page(request),
        "without_account": selectors.units_without_account(request.user).count(),
    })


@account_admin_required
def units_without_account(request):
    qs = selectors.units_without_account(request.user)
    return render(request, "units/units_without_account.html", {"units": qs})


@account_admin_required
def account_create(request):
    units = selectors.units_visible_to(request.user).filter(is_active=True).order_by("path")
    initial = {}
    if request.GET.get("unit"):
        unit = selectors.get_unit_for_user_or_404(request.user, request.GET["unit"])
        initial = {"unit": unit, "role": selectors.ROLES_FOR_KIND[unit.kind][0]}
    form = AccountCreateForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            account, password = services.account_create(actor=request.user, **form.cleaned_data)
        except services.AccountError as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "units/account_password.html", {
                "account": account, "password": password, "created": True,
            })
    return render(request, "units/account_form.html", {"form": form})


@account_admin_required
def account_detail(request, pk: int):
    account = selectors.get_account_for_user_or_404(request.user, pk)
    return render(request, "units/account_detail.html", {"account": account})


@require_POST
@account_admin_required
def account_toggle_active(request, pk: int):
    account = selectors.get_account_for_user_or_404(request.user, pk)
    # An explicit target state: a double submit or a stale page cannot undo a lock.
    active = request.POST.get("active") == "1"
    try:
        services.account_set_active(actor=request.user, account=account, active=active)
    except services.AccountError as exc:
        messages.error(request, str(exc))
    else:
        state = "mở khóa" if account.is_active else "khóa"
        messages.success(request, f"Đã {state} tài khoản {account.username}.")
    return redirect("account_detail", pk=account.pk)


@require_POST
@account_admin_required
def account_reset_password(request, pk: int):
    account = selectors.get_account_for_user_or_404(request.user, pk)
    try:
        password = services.account_reset_password(actor=request.user, account=account)
    except services.AccountError as exc:
        messages.error(request, str(exc))
        return redirect("account_detail", pk=account.pk)
    return render(request, "units/account_password.html", {"account": account, "password": password})


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = StrictPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.user.must_change_password = False
        self.request.user.save(update_fields=["must_change_password"])
        messages.success(self.request, "Đã đổi mật khẩu.")
        return response


def go_home(request):
    return redirect(reverse("home"))
