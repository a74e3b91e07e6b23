"""Excel in and out of a dossier: template download, upload → preview → confirm or cancel."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from registrations import selectors, services
from registrations.importing.plan import ImportError_, apply_import, plan_import
from registrations.importing.template import template_workbook
from registrations.models import ImportBatch, SchoolYear
from units.models import Staff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _context(request, unit_pk: int, year: str):
    school_year = get_object_or_404(SchoolYear, code=year)
    unit, dossier = selectors.dossier_for(request.user, unit_pk, school_year)
    return unit, school_year, dossier


def checked_upload(request):
    """The uploaded Excel file, or None once the officer has been told what is wrong with it
    (shared by the registration and the history imports)."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Chưa chọn tệp Excel để tải lên.")
        return None
    if upload.size > settings.IMPORT_MAX_BYTES:
        messages.error(request, f"Tệp nặng {upload.size / 1e6:.1f} MB, vượt giới hạn {settings.IMPORT_MAX_BYTES / 1e6:.0f} MB.")
        return None
    return upload


def template_download(request, unit_pk: int, year: str):
    unit, school_year, _ = _context(request, unit_pk, year)
    content = template_workbook(unit, school_year, request.user)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="dang-ky-thi-dua-{unit.code}-{school_year.code}.xlsx"'
    return response


def import_upload(request, unit_pk: int, year: str):
    unit, school_year, dossier = _context(request, unit_pk, year)
    if request.method != "POST":
        # After a login that interrupted an upload: back to the dossier page, where the file is chosen.
        return redirect("dossier_page", unit_pk=unit.pk, year=school_year.code)
    if not services.can_edit(request.user, unit):
        raise PermissionDenied("Bạn không có quyền nhập hồ sơ của đơn vị này.")
    upload = checked_upload(request)
    if upload is None:
        return redirect("dossier_page", unit_pk=unit.pk, year=school_year.code)
    content = upload.read()
    batch = ImportBatch.objects.create(
        unit=unit, school_year=school_year, user=request.user, file_name=upload.name[:255], content=content,
        sha256=hashlib.sha256(content).hexdigest(), base_version=dossier.version if dossier else 0,
    )
    return redirect("import_preview", unit_pk=unit.pk, year=school_year.code, batch_pk=batch.pk)


def _batch(request, unit, school_year, batch_pk) -> ImportBatch:
    batch = get_object_or_404(ImportBatch, pk=batch_pk, unit=unit, school_year=school_year, user=request.user)
    if (batch.summary or {}).get("kind", "registration") != "registration":
        raise Http404("Không tìm thấy tệp nhập đăng ký này.")  # a history upload (awards.history_import) is not one
    return batch


def _preview_data(plan) -> dict:
    """What the preview page shows, kept on the batch so that paging does not re-read the file."""
    return {
        "errors": [str(e) for e in plan.errors],
        "notes": [str(n) for n in plan.notes],
        "counts": plan.counts(),
        "changes": [{"kind": c.kind, "subject": c.subject, "before": c.before, "after": c.after,
                     "row": c.row, "sheet": c.sheet} for c in plan.changes],
        "new_people": [{"row": p.row, "full_name": p.full_name, "position": p.position, "gender": p.gender,
                        "date_of_birth": p.date_of_birth.strftime("%d/%m/%Y") if p.date_of_birth else ""}
                       for p in plan.new_people],
    }


def import_preview(request, unit_pk: int, year: str, batch_pk: int):
    unit, school_year, _ = _context(request, unit_pk, year)
    batch = _batch(request, unit, school_year, batch_pk)
    data = batch.summary.get("preview")
    if data is None or request.method == "POST":
        plan = plan_import(bytes(batch.content), unit=unit, school_year=school_year, user=request.user)
        # The dossier may have changed since the upload: the preview is against the upload's version.
        plan.base_version = batch.base_version
        data = _preview_data(plan)
        if batch.status == ImportBatch.Status.PREVIEW and "preview" not in batch.summary:
            batch.summary = {**batch.summary, "preview": data}
            if data["errors"]:
                batch.status = ImportBatch.Status.REJECTED
            batch.save(update_fields=["summary", "status"])
    if request.method == "POST" and batch.status == ImportBatch.Status.PREVIEW:
        if "cancel" in request.POST:
            batch.status, batch.decided_at = ImportBatch.Status.CANCELLED, timezone.now()
            batch.save(update_fields=["status", "decided_at"])
            messages.info(request, "Đã hủy nhập tệp; hồ sơ không thay đổi.")
            return redirect("dossier_page", unit_pk=unit.pk, year=school_year.code)
        genders = {p.row: request.POST.get(f"gender_{p.row}", "") for p in plan.new_people}
        try:
            n = apply_import(plan, user=request.user, genders=genders, create_new_staff="confirm_new" in request.POST)
        except ImportError_ as exc:
            data = {**data, "errors": [str(p) for p in exc.problems]}
        except services.DossierConflict:
            messages.error(request, "Hồ sơ vừa được người khác cập nhật sau khi bạn tải tệp lên; chưa lưu gì. "
                                    "Hãy tải tệp lên lại để xem trước trên bản mới nhất.")
            return redirect("dossier_page", unit_pk=unit.pk, year=school_year.code)
        except services.DossierError as exc:
            data = {**data, "errors": [str(exc)]}
        else:
            batch.status, batch.decided_at = ImportBatch.Status.APPLIED, timezone.now()
            batch.summary = {**batch.summary, "applied_changes": n}
            batch.save(update_fields=["status", "decided_at", "summary"])
            messages.success(request, f"Đã nhập tệp “{batch.file_name}”: {n} thay đổi." if n
                             else f"Tệp “{batch.file_name}” không làm thay đổi gì trong hồ sơ.")
            return redirect("dossier_page", unit_pk=unit.pk, year=school_year.code)
    page = Paginator(data["changes"], 100).get_page(request.GET.get("page"))
    return render(request, "registrations/import_preview.html", {
        "unit": unit, "school_year": school_year, "batch": batch, "plan": data, "page": page,
        "counts": data["counts"], "genders": Staff.Gender.choices,
    })
