"""Excel files for the completeness lists (openpyxl; the reports app will generalise this)."""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@")


def set_value(cell, value) -> None:
    """Write a value; text that Excel would evaluate (=, +, -, @) is stored as a text cell."""
    cell.value = value
    if isinstance(value, str) and value.lstrip().startswith(FORMULA_START):
        cell.data_type = "s"


def units_workbook(*, title: str, issuer: str, school_year_code: str, header: list[str], rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    width = len(header)
    ws.cell(row=1, column=1, value=issuer.upper()).font = Font(bold=True)
    ws.cell(row=1, column=max(width - 2, 2), value="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").font = Font(bold=True)
    ws.cell(row=2, column=max(width - 2, 2), value="Độc lập - Tự do - Hạnh phúc").font = Font(bold=True, underline="single")
    ws.cell(row=4, column=1, value=title.upper()).font = Font(bold=True, size=14)
    ws.cell(row=5, column=1, value=f"Năm học {school_year_code} · xuất lúc {timezone.localtime():%d/%m/%Y %H:%M}")
    thin = Side(style="thin")
    for col, name in enumerate(header, start=1):
        cell = ws.cell(row=7, column=col, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for r, row in enumerate(rows, start=8):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            set_value(cell, value)
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for col in range(1, width + 1):
        longest = max([len(str(ws.cell(row=r, column=col).value or "")) for r in range(7, 8 + len(rows))] or [8])
        ws.column_dimensions[get_column_letter(col)].width = min(max(8, longest + 2), 60)
    ws.freeze_panes = "A8"
    ws.print_title_rows = "7:7"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
