"""The history template of a unit and school year: one row per person who worked there, with
what is recorded for them, drop-downs for the rating, the discipline and the initiative level;
and a sheet "Tập thể" with the unit itself and its teams that year and their own results.
Uploading it back unchanged changes nothing.

The form layout (header block, borders, frozen header, signature block) is the registration
template's (registrations/importing/template.py).
"""

from __future__ import annotations

import io

import tablib
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from awards.history_import import (
    COLLECTIVE_LABELS,
    COLLECTIVE_SHEET,
    DISCIPLINE_LABELS,
    LABELS,
    LEVEL_LABELS,
    RATING_LABELS,
    regime_of,
)
from awards.history_selectors import collective_history, title_labels, unit_history
from awards.models import Title
from registrations.importing.template import _form_sheet
from registrations.models import SchoolYear
from units.models import Unit
from units.selectors import unit_as_of

COLUMNS = ["stt", "full_name", "date_of_birth", "rating", "months_worked", "maternity_months", "discipline",
           "title", "reference", "initiative", "initiative_level", "staff_id"]
WIDTHS = {"rating": 30, "months_worked": 12, "maternity_months": 12, "discipline": 16, "title": 30, "reference": 24,
          "initiative": 40, "initiative_level": 14, "staff_id": 10}
# What the drop-downs offer; the importer also reads codes and spellings without diacritics.
LEVEL_CHOICES = {"co_so": "Cơ sở", "tinh_bo": "Tỉnh/Bộ", "toan_quoc": "Toàn quốc"}
DISCIPLINE_CHOICES = ["Khiển trách", "Cảnh cáo", "Hạ bậc lương", "Giáng chức", "Cách chức", "Buộc thôi việc"]


def _number(value):
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


def _joined(values: list[str]) -> str:
    """One value for all when they agree, else one per item in order ("—" for a blank)."""
    if len(set(values)) <= 1:
        return values[0] if values else ""
    return "; ".join(v or "—" for v in values)


def history_template_workbook(unit: Unit, school_year: SchoolYear, user) -> bytes:
    regime = regime_of(school_year)
    labels = title_labels(regime) if regime else {}
    lines = unit_history(user, unit, school_year, labels)
    data = tablib.Dataset(headers=[LABELS[c] for c in COLUMNS])
    for line in lines:
        r, s = line.record, line.staff
        data.append([
            line.stt, s.full_name, s.date_of_birth,
            RATING_LABELS.get(r.rating, "") if r else "",
            _number(r.months_worked) if r else None,
            _number(r.maternity_months) if r and r.maternity_months else None,
            DISCIPLINE_LABELS.get(r.discipline, "") if r else "",
            "; ".join(t.label for t in line.titles),
            _joined([t.reference for t in line.titles]),
            "; ".join(i.name for i in line.initiatives),
            _joined([LEVEL_CHOICES[i.level] for i in line.initiatives]),
            s.pk,
        ])
    state = unit_as_of(unit, school_year.start_year)
    wb = Workbook()
    ws = wb.active
    ws.title = "Lịch sử thi đua"
    _form_sheet(ws, issuer=state.name if state else unit.name, parent=unit.parent.name if unit.parent else "",
                title="KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI VÀ DANH HIỆU THI ĐUA CÁ NHÂN", year=school_year, dataset=data, titles=[])
    header_row, first = 7, 8
    last = first + max(len(lines), 1) - 1 + 200  # room for rows the officer adds
    for i, key in enumerate(COLUMNS, start=1):
        letter = ws.cell(row=header_row, column=i).column_letter
        if key in WIDTHS:
            ws.column_dimensions[letter].width = WIDTHS[key]
    col = {key: ws.cell(row=header_row, column=i).column_letter for i, key in enumerate(COLUMNS, start=1)}

    def choices(key: str, values: list[str], *, strict: bool, prompt: str = "") -> None:
        dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                            showErrorMessage=strict, errorTitle="Giá trị không có trong danh sách",
                            error="Chọn một giá trị trong danh sách, hoặc để trống.")
        if prompt:
            dv.showInputMessage, dv.promptTitle, dv.prompt = True, LABELS[key], prompt[:255]
        dv.add(f"{col[key]}{first}:{col[key]}{last}")
        ws.add_data_validation(dv)

    choices("rating", list(RATING_LABELS.values()), strict=True)
    choices("discipline", DISCIPLINE_CHOICES, strict=True)
    choices("initiative_level", list(LEVEL_CHOICES.values()), strict=False,
            prompt="Nhiều sáng kiến: ghi cấp của từng sáng kiến theo thứ tự, cách nhau bằng dấu chấm phẩy.")
    individual = [t for t in (regime.titles.order_by("category", "ladder_rank", "code") if regime else [])
                  if t.kind == Title.Kind.INDIVIDUAL]
    hint = DataValidation(allow_blank=True, showInputMessage=True, promptTitle=LABELS["title"],
                          prompt=("Một hoặc nhiều danh hiệu, cách nhau bằng dấu chấm phẩy, ví dụ: LĐTT; CSTĐCS. "
                                  "Xem trang tính “Danh mục”.")[:255])
    hint.add(f"{col['title']}{first}:{col['title']}{last}")
    ws.add_data_validation(hint)
    for r in range(first, first + len(lines)):
        for key in ("months_worked", "maternity_months"):
            ws[f"{col[key]}{r}"].number_format = "0.0"
    _collective_sheet(wb.create_sheet(COLLECTIVE_SHEET), unit, school_year, issuer=state.name if state else unit.name)
    # The titles of the year's regime, for reference (not read back: it has no "Họ và tên" column).
    ref = wb.create_sheet("Danh mục")
    ref.append(["Danh hiệu, hình thức (cá nhân)", "Viết tắt", "Mã"])
    for cell in ref[1]:
        cell.font = Font(bold=True)
    for t in individual:
        ref.append([t.name, t.short_name, t.code])
    ref.append([])
    ref.append([f"Chế độ pháp lý áp dụng cho năm học {school_year.code}: {regime.name if regime else '(chưa có)'}"])
    ref.append(["Xếp loại: " + ", ".join(f"{label} ({code})" for code, label in RATING_LABELS.items())])
    ref.append(["Cấp sáng kiến: " + ", ".join(LEVEL_LABELS.values())])
    ref.append([f"Trang tính “{COLLECTIVE_SHEET}”: xếp loại của chính đơn vị và của từng tổ trong năm học (điều kiện "
                "hoàn thành tốt nhiệm vụ của TTLĐTT, hoàn thành xuất sắc nhiệm vụ của TTLĐXS); để trống nếu chưa có."])
    ref.column_dimensions["A"].width = 48
    ref.column_dimensions["B"].width = 18
    wb.properties.creator = "Hệ thống thi đua - khen thưởng"
    wb.properties.created = timezone.now().replace(tzinfo=None)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _collective_sheet(ws, unit: Unit, school_year: SchoolYear, *, issuer: str) -> None:
    """One row per collective (the unit, then its teams that year) with its recorded rating."""
    lines = collective_history(unit, school_year)
    data = tablib.Dataset(headers=[COLLECTIVE_LABELS[k] for k in ("stt", "collective_name", "rating")])
    for i, line in enumerate(lines, start=1):
        data.append([i, line.name, RATING_LABELS.get(line.record.rating, "") if line.record else ""])
    _form_sheet(ws, issuer=issuer, parent=unit.parent.name if unit.parent else "",
                title="KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CỦA TẬP THỂ", year=school_year, dataset=data, titles=[])
    ws.column_dimensions["B"].width = 48
    ws.column_dimensions["C"].width = 32
    dv = DataValidation(type="list", formula1='"' + ",".join(RATING_LABELS.values()) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="Giá trị không có trong danh sách",
                        error="Chọn một giá trị trong danh sách, hoặc để trống.")
    dv.add(f"C8:C{8 + len(lines) + 50}")
    ws.add_data_validation(dv)
