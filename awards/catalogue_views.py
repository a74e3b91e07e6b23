"""The in-app catalogue ("Danh mục danh hiệu"): the Sở administrator edits, the Sở reads.

Views parse, call a service, render. department_admin edits; department_reviewer and viewer
read; everyone else gets a 403.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from awards import catalogue_services as services
from awards import selectors
from awards.catalogue import title_entry
from awards.catalogue_forms import RegimeForm, RegimeNewForm, TitleEditor
from awards.models import Regime, Title
from awards.rules import engine
from registrations.models import SchoolYear


def catalogue_reader(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not services.can_read_catalogue(request.user):
            raise PermissionDenied("Chỉ Sở GD&ĐT xem được danh mục danh hiệu.")
        if request.method == "POST" and not services.can_edit_catalogue(request.user):
            raise PermissionDenied("Chỉ quản trị viên của Sở được sửa danh mục danh hiệu.")
        return view(request, *args, **kwargs)

    return wrapper


@catalogue_reader
def catalogue_home(request):
    """Regimes with their texts and years, and which regime each school year is evaluated under."""
    if request.method == "POST":
        op = request.POST.get("op", "regime")
        try:
            if op == "next_year":
                year = services.school_year_open_next(user=request.user)
                messages.success(request, f"Đã mở năm học {year.code} (chuẩn bị), xét theo “{year.regime.name if year.regime else '—'}”.")
            elif op == "status":
                year = get_object_or_404(SchoolYear, pk=request.POST.get("school_year") or 0)
                year = services.school_year_set_status(school_year=year, status=request.POST.get("status", ""),
                                                       user=request.user)
                messages.success(request, f"Năm học {year.code}: {year.get_status_display().lower()}.")
            else:
                year = get_object_or_404(SchoolYear, pk=request.POST.get("school_year") or 0)
                regime = get_object_or_404(Regime, pk=request.POST.get("regime") or 0)
                moved = services.school_year_set_regime(school_year=year, regime=regime, user=request.user)
                messages.success(request, f"Năm học {year.code} được xét theo “{regime.name}”"
                                          + (f"; {moved} đăng ký chuyển sang danh mục của chế độ này." if moved else "."))
        except services.CatalogueError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        return redirect("catalogue_home")
    regimes = selectors.regimes_overview()
    return render(request, "awards/catalogue_home.html", {
        "regimes": regimes,
        # Not "school_years": that name is the menu's year selector (context processor).
        "catalogue_years": SchoolYear.objects.select_related("regime").order_by("-start_date"),
        "year_statuses": SchoolYear.Status.choices,
        "can_edit": services.can_edit_catalogue(request.user),
    })


@catalogue_reader
def regime_detail(request, pk: int):
    regime = get_object_or_404(Regime, pk=pk)
    form = RegimeForm(request.POST or None, initial={"name": regime.name, "texts": "\n".join(regime.texts or [])})
    if request.method == "POST" and form.is_valid():
        try:
            services.regime_update(regime=regime, user=request.user, name=form.cleaned_data["name"],
                                   texts=form.cleaned_data["texts"].splitlines())
        except services.CatalogueError as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, "Đã lưu chế độ pháp lý.")
            return redirect("regime_detail", pk=regime.pk)
    return render(request, "awards/regime_detail.html", {
        "regime": regime, "titles": selectors.regime_titles(regime), "form": form,
        # Not "school_years": that name is the menu's year selector (context processor).
        "regime_years": regime.school_years.order_by("start_date"),
        "history": regime.history.select_related("history_user").order_by("-history_date")[:20],
        "can_edit": services.can_edit_catalogue(request.user),
    })


def _defaults(title: Title) -> tuple[str, str | None]:
    """The citation and quota basis the engine uses when the catalogue names none."""
    entry = title_entry(title, title.regime.code)
    entry.pop("article", None)
    try:
        article = engine.load_rules({"entries": [entry]})[(title.regime.code, title.code)].article
    except ValueError:
        article = ""
    return article, engine.QUOTA_BASIS.get(title.code)


@catalogue_reader
def title_edit(request, pk: int):
    title = get_object_or_404(Title.objects.select_related("regime"), pk=pk)
    regime_titles = selectors.regime_titles(title.regime)
    article, basis = _defaults(title)
    editor = TitleEditor(title, regime_titles, default_article=article, default_basis=basis,
                         data=request.POST if request.method == "POST" else None)
    errors: list[str] = []
    if request.method == "POST":
        if editor.is_valid():
            try:
                saved = services.title_update(title=title, user=request.user,
                                              expected_revision=editor.form.cleaned_data["revision"],
                                              values=editor.values())
            except services.CatalogueForbidden as exc:
                raise PermissionDenied(str(exc)) from exc
            except services.CatalogueError as exc:
                for field, message in exc.errors.items():
                    editor.form.add_error(field if field in editor.form.fields else None, message)
                errors = editor.error_summary()
            else:
                if saved.revision == title.revision:
                    messages.info(request, "Không có thay đổi nào để lưu.")
                else:
                    messages.success(request, f"Đã lưu “{saved.name}” (phiên bản {saved.revision}).")
                return redirect("title_edit", pk=title.pk)
        else:
            errors = editor.error_summary()
    return render(request, "awards/title_edit.html", {
        "title": title, "editor": editor, "errors": errors, "default_article": article,
        "history": selectors.title_history(title),
        "can_edit": services.can_edit_catalogue(request.user),
    })


@catalogue_reader
def regime_new(request):
    if not services.can_edit_catalogue(request.user):
        raise PermissionDenied("Chỉ quản trị viên của Sở được thêm chế độ pháp lý.")
    regimes = Regime.objects.order_by("-first_year", "-code")
    latest = regimes.first()
    form = RegimeNewForm(request.POST or None, regimes=regimes, initial={"source": latest})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            regime = services.regime_create_from(source=d["source"], code=d["code"], name=d["name"],
                                                 texts=d["texts"].splitlines(), first_year=d["first_year"],
                                                 user=request.user)
        except services.CatalogueError as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, f"Đã thêm chế độ “{regime.name}”, áp dụng từ năm học "
                                      f"{regime.first_year}-{regime.first_year + 1}, với "
                                      f"{regime.titles.count()} danh hiệu, hình thức sao chép để sửa.")
            return redirect("regime_detail", pk=regime.pk)
    return render(request, "awards/regime_new.html", {"form": form})
