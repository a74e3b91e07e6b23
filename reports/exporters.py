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
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from registrations.board import build_board
from registrations.exports import FORMULA_START
from registrations.models import RegistrationDossier, SchoolYear
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


def _time(value, tz=None) -> str:
    return value.astimezone(tz or timezone.get_current_timezone()).strftime("%d/%m/%Y %H:%M") if value else ""


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
        status = dict(RegistrationDossier.Status.choices)
        # The selector's rows and order, as plain tuples: 25,000 model instances cost more than the file.
        fields = ("dossier__unit__short_name", "dossier__unit__name", "staff__full_name", "collective__name",
                  "title__name", "created_at", "dossier__submitted_at", "dossier__status")
        qs = selectors.registrations_of(self.scope, self.school_year).prefetch_related(None).values_list(*fields)
        tz = timezone.get_current_timezone()
        for i, (unit, unit_name, person, team, title, created, submitted, state) in enumerate(qs, start=1):
            rows.append([i, unit, person or team or unit_name, title, _time(created, tz), _time(submitted, tz),
                         status[state]])
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
    """The form layout in openpyxl's write-only mode: rows stream to the file as they are
    appended (memory stays flat for the province's 25,000 rows; `make bench` measures it)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Báo cáo")
    width = len(table.header)
    right = max(width - 3, 3)
    parent, issuer = _issuer(scope)
    today = timezone.localdate()
    bold, italic = Font(bold=True), Font(italic=True)
    center = Alignment(horizontal="center")

    def cell(value, *, font=None, alignment=None, border=None, quote=False):
        c = WriteOnlyCell(ws, value=value)
        if font:
            c.font = font
        if alignment:
            c.alignment = alignment
        if border:
            c.border = border
        if quote:
            c.data_type = "s"
            c.quotePrefix = True  # Excel's hidden apostrophe: stays text after editing (F2, Enter)
        return c

    def line(pairs: dict[int, WriteOnlyCell]) -> list:
        return [pairs.get(c) for c in range(1, max(pairs) + 1)]

    # Widths are set before any row is written (write-only), from the longest text per column.
    longest = [len(str(name)) for name in table.header]
    for values in [*table.rows, table.total or []]:
        for i, value in enumerate(values):
            n = len(str(value)) if value is not None else 0
            if n > longest[i]:
                longest[i] = n
    for c, n in enumerate(longest, start=1):
        ws.column_dimensions[get_column_letter(c)].width = min(max(8, n + 2), 50)

    header_row = 8
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    ws.append(line({1: cell(parent), right: cell("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=bold)}))
    ws.append(line({1: cell(issuer, font=bold), right: cell("Độc lập - Tự do - Hạnh phúc", font=bold)}))
    ws.append(line({right: cell(f"Long An, ngày {today:%d} tháng {today:%m} năm {today:%Y}", font=italic)}))
    ws.append([])
    ws.append([cell(table.title.upper(), font=Font(bold=True, size=13), alignment=center)])
    ws.append([cell(f"Năm học {school_year.code}", alignment=center)])
    last = get_column_letter(width)
    ws.merged_cells.add(f"A5:{last}5")
    ws.merged_cells.add(f"A6:{last}6")
    ws.append([])
    head_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.append([cell(name, font=bold, alignment=head_align, border=BOX) for name in table.header])
    # One styled cell per column, reused: a write-only row is written out when appended.
    plain = [cell(None, border=BOX) for _ in range(width)]
    quoted = [cell(None, border=BOX, quote=True) for _ in range(width)]
    for values in table.rows:
        row = []
        for i, value in enumerate(values):
            if isinstance(value, str) and value.lstrip().startswith(FORMULA_START):
                c = quoted[i]
                c.value = value
                c.data_type = "s"  # assigning the value made it a formula again
            else:
                c = plain[i]
                c.value = value
            row.append(c)
        ws.append(row)
    if table.total:
        # Values, not formulas: they equal the rows above by construction.
        ws.append([cell(value, font=bold, border=BOX,
                        quote=isinstance(value, str) and value.lstrip().startswith(FORMULA_START))
                   for value in table.total])
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
