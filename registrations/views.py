"""Dossier pages: entry, workflow actions, timeline. Views parse, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from awards.quotas import dossier_quotas
from awards.selectors import registrable_titles
from awards.verdicts import verdicts_for
from registrations import selectors, services
from registrations.forms import TransitionForm, entries_from_post, field_changed
from registrations.middleware import PENDING_KEY
from registrations.models import DossierEvent, RegistrationDossier, SchoolYear
from units.models import Unit
from units.selectors import unit_as_of


def my_dossier(request):
    """The menu entry: a unit's own dossier; reviewers go to the progress board."""
    user = request.user
    if user.unit is not None and user.unit.kind in (Unit.Kind.SCHOOL, Unit.Kind.CENTER):
        return redirect("dossier_page", unit_pk=user.unit_id, year=request.school_year.code)
    return redirect("board")


def _year(code: str) -> SchoolYear:
    return get_object_or_404(SchoolYear, code=code)


def _restore_pending(request) -> QueryDict | None:
    """Entries posted just before the session expired, if they were for this page."""
    pending = request.session.get(PENDING_KEY)
    if not pending or pending.get("path") != request.path:
        return None
    del request.session[PENDING_KEY]
    if pending.get("owner") and pending["owner"] != str(request.user.pk):
        messages.warning(request, "Có thay đổi chưa lưu từ phiên làm việc trước của một tài khoản khác trên máy này; "
                                  "các thay đổi đó đã được bỏ, không lưu.")
        return None
    data = QueryDict(mutable=True)
    for key, values in pending["data"].items():
        data.setlist(key, values)
    return data


def dossier_page(request, unit_pk: int, year: str):
    school_year = _year(year)
    user = request.user
    unit, dossier = selectors.dossier_for(user, unit_pk, school_year)
    switched = request.GET.get("year")
    if switched and switched != school_year.code and SchoolYear.objects.filter(code=switched).exists():
        # The menu's year switcher on a dossier page opens the same unit's dossier of that year.
        return redirect("dossier_page", unit_pk=unit.pk, year=switched)
    if request.method == "POST" and not services.can_edit(user, unit):
        raise PermissionDenied("Bạn không có quyền sửa hồ sơ đăng ký của đơn vị này.")
    posted = request.POST if request.method == "POST" else None
    restored = False
    if posted is None:
        posted = _restore_pending(request)
        restored = posted is not None
    conflict = None
    errors: list[str] = []
    if posted is not None:
        base_version, entries = entries_from_post(posted)
        if base_version is None:
            messages.error(request, "Trang nhập đã cũ (thiếu phiên bản hồ sơ); hãy tải lại trang rồi nhập lại.")
            return redirect("dossier_page", unit_pk=unit.pk, year=school_year.code)
        try:
            result = services.dossier_save(
                unit=unit, school_year=school_year, user=user, base_version=base_version, entries=entries,
            )
        except services.DossierConflict as exc:
            conflict = exc
        except services.DossierValidationError as exc:
            errors = exc.errors
        except services.DossierForbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        except services.DossierError as exc:
            messages.error(request, str(exc))
            return redirect("dossier_page", unit_pk=unit.pk, year=school_year.code)
        else:
            n = len(result.changes)
            if restored:
                messages.success(request, f"Phiên đăng nhập đã hết hạn trước khi lưu; các thay đổi bạn đã nhập đã được khôi phục và lưu ({n} thay đổi).")
            elif n:
                messages.success(request, f"Đã lưu {n} thay đổi.")
            else:
                messages.info(request, "Không có thay đổi nào để lưu.")
            return redirect("dossier_page", unit_pk=unit.pk, year=school_year.code)
        dossier = selectors.dossier_for(user, unit_pk, school_year)[1]

    editable = (
        services.can_edit(user, unit)
        and (dossier is None or dossier.is_editable)
        and school_year.status != SchoolYear.Status.CLOSED
    )
    registrations = selectors.dossier_registrations(dossier)
    rows = selectors.entry_rows(user, unit, school_year, registrations)
    collective_rows = selectors.collective_rows(unit, registrations)
    # The rules' verdicts: warnings while registering, blocking only when the Sở accepts.
    verdicts = verdicts_for(registrations, school_year, unit=unit)
    for row in [*rows, *collective_rows]:
        row.verdict = verdicts.get(row.registration.pk) if row.registration else None
    if conflict or errors:
        # After a refused save: the rows this user changed show what they typed; every other
        # row shows what is stored now (including the other person's changes).
        def overlay(row, field):
            if field_changed(posted, field) or field_changed(posted, f"n{field}"):
                row.code, row.note = posted.get(field, row.code), posted.get(f"n{field}", row.note)

        for row in rows:
            overlay(row, f"t_{row.staff.pk}")
        for row in collective_rows:
            overlay(row, "u" if row.subject == "unit" else f"c_{row.subject_id}")
    titles = list(registrable_titles(school_year))
    judged_at = dossier.judged_at if dossier is not None else None
    summary, quotas = dossier_quotas(unit, school_year, registrations, titles, accepted_at=judged_at)
    timeline = selectors.dossier_timeline(dossier)
    # An exceeded cap the Sở accepted anyway shows the reviewer's reason next to it, every time.
    quota_override = next((e for e in reversed(timeline) if e.action == DossierEvent.Action.OVERRIDE), None) \
        if judged_at and any(q.exceeded for q in quotas) else None
    return render(request, "registrations/dossier_page.html", {
        "unit": unit,
        "state": unit_as_of(unit, school_year.start_year),
        "school_year": school_year,
        "dossier": dossier,
        "editable": editable,
        "rows": rows,
        "collective_rows": collective_rows,
        "teams": [c for c in collective_rows if c.subject_id is not None],
        "individual_titles": [t for t in titles if t.kind == "individual"],
        "collective_titles": [t for t in titles if t.kind == "collective"],
        "summary": summary,
        "quotas": quotas,
        "timeline": timeline,
        "quota_override": quota_override,
        "transitions": services.available_transitions(user, dossier),
        "version": conflict.current_version if conflict else (dossier.version if dossier else 0),
        "conflict": conflict,
        "errors": errors,
        "needs_district": services.needs_district_review(unit),
    })


PAST_TENSE = {
    services.Action.SUBMIT: "Đã nộp hồ sơ",
    services.Action.FORWARD: "Đã chuyển hồ sơ lên Sở",
    services.Action.ACCEPT: "Đã duyệt hồ sơ",
    services.Action.RETURN: "Đã trả lại hồ sơ",
}


def dossier_action(request, unit_pk: int, year: str, action: str):
    """GET shows a confirmation page; POST performs the transition once."""
    school_year = _year(year)
    unit, dossier = selectors.dossier_for(request.user, unit_pk, school_year)
    transition = services.TRANSITIONS.get(action)
    if transition is None:
        raise Http404("Không có thao tác này.")
    page = reverse("dossier_page", kwargs={"unit_pk": unit.pk, "year": school_year.code})
    if dossier is None:
        messages.error(request, "Đơn vị chưa lập hồ sơ đăng ký cho năm học này.")
        return redirect(page)
    allowed = services.may(request.user, action, dossier)
    if not allowed and dossier.status in transition.sources:
        # The dossier is at this step, but not for this account: forbidden, not merely "not now".
        raise PermissionDenied(f"Bạn không có quyền “{transition.label.lower()}” hồ sơ này.")
    form = TransitionForm(request.POST or None, initial={"version": dossier.version},
                          needs_comment=transition.needs_comment)
    blocked = None
    if request.method == "POST" and form.is_valid():
        try:
            services.dossier_transition(
                dossier, action=action, user=request.user, comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"], override_reason=form.cleaned_data["override_reason"],
            )
        except services.DossierForbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        except services.DossierBlocked as exc:
            blocked = exc
            # Posted without a reason: say so at the field, or the same page comes back unexplained.
            form.add_error("override_reason", "Hãy ghi lý do vẫn duyệt: hồ sơ có đăng ký chưa đủ điều kiện hoặc vượt tỷ lệ.")
        except services.DossierError as exc:
            messages.error(request, str(exc))
            return redirect(page)
        else:
            messages.success(request, f"{PAST_TENSE[action]}: {unit.short_name}.")
            return redirect(page)
    unknown = 0
    if action == services.Action.ACCEPT and allowed:
        review = services.acceptance_review(dossier)
        if blocked is None and (review.ineligible or review.quotas):
            blocked = services.DossierBlocked(review.ineligible, review.quotas)
        unknown = review.unknown  # not blocking, but the reviewer should know
    return render(request, "registrations/dossier_action.html", {
        "unit": unit, "dossier": dossier, "transition": transition, "form": form, "school_year": school_year,
        "allowed": allowed, "blocked": blocked, "unknown": unknown,
        "summary": selectors.dossier_summary(
            selectors.dossier_registrations(dossier), list(registrable_titles(school_year))
        ),
    })


def dossier_list(request):
    """Dossiers in scope for the selected year, for reviewers (the board has the counts)."""
    qs = selectors.dossiers_visible_to(request.user).filter(school_year=request.school_year)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    return render(request, "registrations/dossier_list.html", {
        "dossiers": qs.order_by("unit__path"), "status": status, "statuses": RegistrationDossier.Status.choices,
    })
