"""Lịch sử thi đua: a unit's recorded history for a school year, its Excel template, and the
upload → preview → confirm or cancel of a history file. Views parse, call, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from awards import history_import as hi
from awards.history_selectors import can_import_history, collective_history, title_labels, unit_history
from awards.history_template import history_template_workbook
from registrations.import_views import checked_upload
from registrations.models import ImportBatch, SchoolYear
from units.selectors import get_unit_for_user_or_404, unit_as_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOW = {"add": "Thêm mới", "change": "Thay đổi", "same": "Không đổi"}


def _context(request, unit_pk, year: str):
    school_year = get_object_or_404(SchoolYear.objects.select_related("regime"), code=year)
    # Scoped like the dossier page: a unit outside the user's subtree is a 404.
    return get_unit_for_user_or_404(request.user, unit_pk), school_year


def history_page(request, unit_pk: int, year: str):
    unit, school_year = _context(request, unit_pk, year)
    switched = request.GET.get("year")
    if switched and switched != school_year.code and SchoolYear.objects.filter(code=switched).exists():
        # The menu's year switcher opens the same unit's history of that year.
        return redirect("history_page", unit_pk=unit.pk, year=switched)
    regime = hi.regime_of(school_year)
    lines = unit_history(request.user, unit, school_year, title_labels(regime) if regime else {})
    return render(request, "awards/history_page.html", {
        "unit": unit, "state": unit_as_of(unit, school_year.start_year), "school_year": school_year,
        "regime": regime, "lines": lines, "can_import": can_import_history(request.user, unit),
        "recorded": sum(1 for line in lines if line.record), "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
        "discipline_labels": hi.DISCIPLINE_LABELS, "collectives": collective_history(unit, school_year),
    })


def history_template(request, unit_pk: int, year: str):
    unit, school_year = _context(request, unit_pk, year)
    response = HttpResponse(history_template_workbook(unit, school_year, request.user), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="lich-su-thi-dua-{unit.code}-{school_year.code}.xlsx"'
    return response


def history_upload(request, unit_pk: int, year: str):
    unit, school_year = _context(request, unit_pk, year)
    if request.method != "POST":
        return redirect("history_page", unit_pk=unit.pk, year=school_year.code)
    if not can_import_history(request.user, unit):
        raise PermissionDenied("Bạn không có quyền nhập lịch sử thi đua của đơn vị này.")
    upload = checked_upload(request)
    if upload is None:
        return redirect("history_page", unit_pk=unit.pk, year=school_year.code)
    batch = hi.history_batch_create(unit=unit, school_year=school_year, user=request.user, file_name=upload.name,
                                    content=upload.read())
    return redirect("history_preview", unit_pk=unit.pk, year=school_year.code, batch_pk=batch.pk)


def history_preview(request, unit_pk: int, year: str, batch_pk: int):
    unit, school_year = _context(request, unit_pk, year)
    batch = get_object_or_404(ImportBatch, pk=batch_pk, unit=unit, school_year=school_year, user=request.user)
    if not hi.is_history_batch(batch):
        raise Http404("Không tìm thấy tệp nhập lịch sử này.")  # a registration upload is not one
    if not can_import_history(request.user, unit):
        raise PermissionDenied("Bạn không có quyền nhập lịch sử thi đua của đơn vị này.")
    data = hi.history_batch_preview(batch=batch, user=request.user)
    stale = False
    if request.method == "POST":
        page_url = redirect("history_page", unit_pk=unit.pk, year=school_year.code)
        if "cancel" in request.POST:
            if hi.history_batch_cancel(batch_pk=batch.pk):
                messages.info(request, "Đã hủy nhập tệp; lịch sử thi đua không thay đổi.")
            return page_url
        try:
            n = hi.history_batch_confirm(batch_pk=batch.pk, user=request.user)
        except hi.HistoryPreviewStale as exc:
            data, stale = hi.history_batch_refresh(batch=batch, plan=exc.plan), True
        except hi.HistoryImportError as exc:
            data = {**data, "errors": [str(p) for p in exc.problems]}
        else:
            messages.success(request, f"Đã nhập tệp “{batch.file_name}”: {n} cán bộ hoặc tập thể có thay đổi." if n
                             else f"Tệp “{batch.file_name}” không làm thay đổi gì trong lịch sử thi đua.")
            return page_url
        batch.refresh_from_db()
    show = request.GET.get("show", "")
    diffs = [d for d in data["diffs"] if d["kind"] == show] if show in SHOW else data["diffs"]
    page = Paginator(diffs, 100).get_page(request.GET.get("page"))
    for d in page:
        d["cells"] = [(label, before, after, label in d["changed"]) for label, (before, after) in d["fields"].items()]
    return render(request, "awards/history_preview.html", {
        "unit": unit, "school_year": school_year, "batch": batch, "plan": data, "counts": data["counts"],
        "page": page, "show": show, "shows": SHOW, "stale": stale,
        "collective_diffs": data.get("collective_diffs", []), "collective_counts": data.get("collective_counts", {}),
        "querystring": f"show={show}" if show in SHOW else "",
    })
