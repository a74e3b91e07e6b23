"""Exports built on the report selectors: one class per report, three writers (xlsx, csv, pdf).

A ListExporter only says what the table is (title, header, rows, totals); the writers lay it
out as the forms offices file (pretix's ListExporter shape, without plugins: a plain registry).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from registrations.board import build_board
from registrations.exports import FORMULA_START, set_value
from registrations.models import SchoolYear
from reports import selectors
from units.models import Unit

REGISTRY: dict[str, type[ListExporter]] = {}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


def register(cls):
    REGISTRY[cls.identifier] = cls
    return cls


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list]
    total: list | None = None
    csv_header: list[str] | None = None  # machine-readable names (title codes) for the CSV


class ExportError(Exception):
    """A report that cannot be produced in the asked format (message in Vietnamese)."""


class ListExporter:
    identifier = ""
    title = ""

    def __init__(self, *, scope: Unit, school_year: SchoolYear, measure: str = "registered"):
        self.scope, self.school_year = scope, school_year
        self.measure = measure if measure in ("registered", "accepted") else "registered"

    def table(self) -> Table:
        raise NotImplementedError

    def render(self, fmt: str) -> tuple[str, str, bytes]:
        table = self.table()
        if fmt == "pdf" and len(table.rows) > settings.PDF_MAX_ROWS:
            rows, limit = (f"{n:,}".replace(",", ".") for n in (len(table.rows), settings.PDF_MAX_ROWS))
            raise ExportError(
                f"Báo cáo có {rows} dòng, quá dài để in PDF (tối đa {limit}); "
                "hãy xuất Excel/CSV hoặc chọn phạm vi nhỏ hơn."
            )
        writer = {"xlsx": write_xlsx, "csv": write_csv, "pdf": write_pdf}[fmt]
        content = writer(table, scope=self.scope, school_year=self.school_year)
        filename = f"{self.identifier}-{self.scope.code}-{self.school_year.code}.{fmt}"
        return filename, CONTENT_TYPES[fmt], content


def _time(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


@register
class SummaryExporter(ListExporter):
    identifier = "summary"
    title = "Tổng hợp đăng ký danh hiệu thi đua"

    def table(self) -> Table:
        s = selectors.summary(self.scope, self.school_year)
        codes = [t.code for t in s.titles]
        m = self.measure
        header = ["Mã đơn vị", "Đơn vị", "Phòng GD&ĐT / khối", *[t.label for t in s.titles]]
        rows = [[r.code, r.name, r.district, *[r.counts[m][c] for c in codes]] for r in s.units]
        total = ["", "Tổng cộng", "", *[s.total.counts[m][c] for c in codes]]
        title = f"{self.title} ({selectors.MEASURE_LABELS[m].lower()})"
        return Table(title, header, rows, total, csv_header=["code", "unit", "district", *codes])


@register
class RegistrationsExporter(ListExporter):
    identifier = "registrations"
    title = "Danh sách đăng ký danh hiệu thi đua"

    def table(self) -> Table:
        header = ["STT", "Đơn vị", "Cá nhân / tập thể", "Danh hiệu", "Đăng ký lúc", "Nộp lúc", "Trạng thái hồ sơ"]
        rows = []
        for i, r in enumerate(selectors.registrations_of(self.scope, self.school_year), start=1):
            subject = r.staff.full_name if r.staff_id else (r.collective.name if r.collective_id else r.dossier.unit.name)
            rows.append([i, r.dossier.unit.short_name, subject, r.title.name, _time(r.created_at),
                         _time(r.dossier.submitted_at), r.dossier.get_status_display()])
        return Table(self.title, header, rows, ["", "Tổng cộng", f"{len(rows)} đăng ký", "", "", "", ""])


@register
class CompletenessExporter(ListExporter):
    identifier = "completeness"
    title = "Tình hình nộp hồ sơ đăng ký thi đua"

    def table(self) -> Table:
        board = build_board(self.scope, self.school_year)
        header = ["Mã đơn vị", "Đơn vị", "Trạng thái hồ sơ", "Nộp lúc", "Nộp trễ", "Có đăng ký cá nhân",
                  "Có đăng ký tập thể", "Có tài khoản"]
        yes = {True: "Có", False: "Không"}
        rows = [[u.unit.code, u.name, u.status_label, _time(u.dossier.submitted_at if u.dossier else None),
                 yes[u.is_late], yes[u.individual > 0], yes[u.collective > 0], yes[u.accounts > 0]]
                for u in board.units]
        submitted = sum(1 for u in board.units if u.dossier and u.dossier.submitted_at)
        return Table(self.title, header, rows, ["", "Tổng cộng", f"{submitted}/{len(rows)} đã nộp", "", "", "", "", ""])


# --- writers ----------------------------------------------------------------------------------

THIN = Side(style="thin")
BOX = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)


def _issuer(scope: Unit) -> tuple[str, str]:
    parent = scope.parent.name.upper() if scope.parent else "UBND TỈNH LONG AN"
    return parent, scope.name.upper()


def write_xlsx(table: Table, *, scope: Unit, school_year: SchoolYear) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    width = len(table.header)
    right = max(width - 3, 3)
    parent, issuer = _issuer(scope)
    ws.cell(row=1, column=1, value=parent)
    ws.cell(row=2, column=1, value=issuer).font = Font(bold=True)
    ws.cell(row=1, column=right, value="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").font = Font(bold=True)
    ws.cell(row=2, column=right, value="Độc lập - Tự do - Hạnh phúc").font = Font(bold=True)
    today = timezone.localdate()
    ws.cell(row=3, column=right, value=f"Long An, ngày {today:%d} tháng {today:%m} năm {today:%Y}").font = Font(italic=True)
    ws.cell(row=5, column=1, value=table.title.upper()).font = Font(bold=True, size=13)
    ws.cell(row=6, column=1, value=f"Năm học {school_year.code}")
    for r in (5, 6):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        ws.cell(row=r, column=1).alignment = Alignment(horizontal="center")
    header_row = 8
    for c, name in enumerate(table.header, start=1):
        cell = ws.cell(row=header_row, column=c, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BOX
    for r, values in enumerate(table.rows, start=header_row + 1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            set_value(cell, value)
            cell.border = BOX
    if table.total:
        r = header_row + len(table.rows) + 1
        for c, value in enumerate(table.total, start=1):
            cell = ws.cell(row=r, column=c)
            set_value(cell, value)  # values, not formulas: they equal the rows above by construction
            cell.font = Font(bold=True)
            cell.border = BOX
    for c in range(1, width + 1):
        longest = max([len(str(ws.cell(row=r, column=c).value or "")) for r in range(header_row, ws.max_row + 1)] or [8])
        ws.column_dimensions[get_column_letter(c)].width = min(max(8, longest + 2), 50)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _csv_safe(value):
    """CSV has no cell types: text Excel would run gets a leading apostrophe (defusedcsv's rule)."""
    if isinstance(value, str) and value.lstrip().startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(table: Table, *, scope: Unit, school_year: SchoolYear) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.csv_header or table.header)
    for row in table.rows:
        writer.writerow([_csv_safe(v) for v in row])
    if table.total:
        writer.writerow([_csv_safe(v) for v in table.total])
    # UTF-8 with BOM: Excel on Windows opens it with the right diacritics.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


def write_pdf(table: Table, *, scope: Unit, school_year: SchoolYear) -> bytes:
    from weasyprint import HTML

    parent, issuer = _issuer(scope)
    html = render_to_string("reports/pdf_report.html", {
        "table": table, "scope": scope, "school_year": school_year, "parent": parent, "issuer": issuer,
        "today": timezone.localdate(), "font_dir": FONT_DIR.as_uri(),
    })
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
