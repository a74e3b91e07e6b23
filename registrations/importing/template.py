"""The registration template of a unit and school year: what officers fill in and upload back.

Rows come from a django-import-export Resource (the columns, in one place); openpyxl lays
them out as a Vietnamese administrative form with a drop-down of the year's titles.
"""

from __future__ import annotations

import io

from django.utils import timezone
from import_export import fields, resources
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.datavalidation import DataValidation

from awards.models import Title
from awards.selectors import registrable_titles
from registrations import selectors
from registrations.exports import set_value
from registrations.models import RegistrationDossier, SchoolYear
from units.models import Unit
from units.selectors import unit_as_of


class IndividualTemplateResource(resources.Resource):
    """One row per staff member of the unit in the year, with their current registration."""

    stt = fields.Field(column_name="STT")
    full_name = fields.Field(column_name="Họ và tên")
    date_of_birth = fields.Field(column_name="Ngày sinh")
    position = fields.Field(column_name="Chức vụ")
    team = fields.Field(column_name="Tổ chuyên môn")
    title = fields.Field(column_name="Danh hiệu đăng ký")
    note = fields.Field(column_name="Ghi chú")
    staff_id = fields.Field(column_name="Mã CB")

    class Meta:
        fields = ("stt", "full_name", "date_of_birth", "position", "team", "title", "note", "staff_id")

    def dehydrate_stt(self, row):
        return row.stt

    def dehydrate_full_name(self, row):
        return row.staff.full_name

    def dehydrate_date_of_birth(self, row):
        return row.staff.date_of_birth

    def dehydrate_position(self, row):
        return row.staff.position

    def dehydrate_team(self, row):
        return row.staff.team.name if row.staff.team else ""

    def dehydrate_title(self, row):
        return row.registration.title.name if row.registration else ""

    def dehydrate_note(self, row):
        return row.registration.note if row.registration else ""

    def dehydrate_staff_id(self, row):
        return row.staff.pk


class CollectiveTemplateResource(resources.Resource):
    stt = fields.Field(column_name="STT")
    name = fields.Field(column_name="Tập thể")
    title = fields.Field(column_name="Danh hiệu đăng ký")
    note = fields.Field(column_name="Ghi chú")

    class Meta:
        fields = ("stt", "name", "title", "note")

    def dehydrate_stt(self, row):
        return row.stt

    def dehydrate_name(self, row):
        return row.name

    def dehydrate_title(self, row):
        return row.registration.title.name if row.registration else ""

    def dehydrate_note(self, row):
        return row.registration.note if row.registration else ""


THIN = Side(style="thin")
BOX = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
WIDTHS = {"STT": 6, "Họ và tên": 28, "Ngày sinh": 12, "Chức vụ": 18, "Tổ chuyên môn": 22,
          "Danh hiệu đăng ký": 28, "Ghi chú": 36, "Mã CB": 10, "Tập thể": 40}


def _form_sheet(ws, *, issuer: str, parent: str, title: str, year: SchoolYear, dataset, titles: list[Title]) -> None:
    headers = list(dataset.headers)
    width = len(headers)
    ws["A1"] = parent.upper()
    ws["A2"] = issuer.upper()
    ws["A2"].font = Font(bold=True)
    right = max(width - 3, 3)
    ws.cell(row=1, column=right, value="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").font = Font(bold=True)
    ws.cell(row=2, column=right, value="Độc lập - Tự do - Hạnh phúc").font = Font(bold=True)
    ws.cell(row=4, column=1, value=title).font = Font(bold=True, size=13)
    ws.cell(row=5, column=1, value=f"Năm học {year.code}")
    ws.merge_cells(start_row=4, start_column=1, end_row=4, end_column=width)
    ws.merge_cells(start_row=5, start_column=1, end_row=5, end_column=width)
    for cell in (ws["A4"], ws["A5"]):
        cell.alignment = Alignment(horizontal="center")
    header_row = 7
    for col, name in enumerate(headers, start=1):
        cell = ws.cell(row=header_row, column=col, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BOX
        ws.column_dimensions[cell.column_letter].width = WIDTHS.get(name, 14)
    for r, values in enumerate(dataset, start=header_row + 1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            set_value(cell, value)
            cell.border = BOX
            if headers[c - 1] == "Ngày sinh":
                cell.number_format = "DD/MM/YYYY"
    last = header_row + max(len(dataset), 1)
    if "Danh hiệu đăng ký" in headers:
        col = ws.cell(row=header_row, column=headers.index("Danh hiệu đăng ký") + 1).column_letter
        names = ",".join(t.name for t in titles)
        dv = DataValidation(type="list", formula1=f'"{names}"', allow_blank=True, showErrorMessage=True,
                            errorTitle="Danh hiệu không có trong danh mục",
                            error="Chọn một danh hiệu trong danh sách, hoặc để trống nếu không đăng ký.")
        dv.add(f"{col}{header_row + 1}:{col}{last + 200}")
        ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.cell(row=last + 2, column=right, value="............, ngày ..... tháng ..... năm ........").font = Font(italic=True)
    ws.cell(row=last + 3, column=1, value="NGƯỜI LẬP BIỂU").font = Font(bold=True)
    ws.cell(row=last + 3, column=right, value="THỦ TRƯỞNG ĐƠN VỊ").font = Font(bold=True)


def template_workbook(unit: Unit, school_year: SchoolYear, user) -> bytes:
    dossier = RegistrationDossier.objects.filter(unit=unit, school_year=school_year).first()
    registrations = selectors.dossier_registrations(dossier)
    people = selectors.entry_rows(user, unit, school_year, registrations)
    for i, row in enumerate(people, start=1):
        row.stt = i
    collectives = selectors.collective_rows(unit, registrations)
    for i, row in enumerate(collectives, start=1):
        row.stt = i
    titles = list(registrable_titles(school_year))
    state = unit_as_of(unit, school_year.start_year)
    name = state.name if state else unit.name
    parent = unit.parent.name if unit.parent else ""

    wb = Workbook()
    ws = wb.active
    ws.title = "Cá nhân"
    _form_sheet(ws, issuer=name, parent=parent, title="DANH SÁCH ĐĂNG KÝ DANH HIỆU THI ĐUA CÁ NHÂN", year=school_year,
                dataset=IndividualTemplateResource().export(people),
                titles=[t for t in titles if t.kind == Title.Kind.INDIVIDUAL])
    ws2 = wb.create_sheet("Tập thể")
    _form_sheet(ws2, issuer=name, parent=parent, title="DANH SÁCH ĐĂNG KÝ DANH HIỆU THI ĐUA TẬP THỂ", year=school_year,
                dataset=CollectiveTemplateResource().export(collectives),
                titles=[t for t in titles if t.kind == Title.Kind.COLLECTIVE])
    wb.properties.creator = "Hệ thống thi đua - khen thưởng"
    wb.properties.created = timezone.now().replace(tzinfo=None)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
