"""Excel in: the province's sample files behave as their oracles say, through the command and
the upload page; every rejection names sheet, row and column and saves nothing."""

import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from registrations.importing.plan import ImportError_, apply_import, plan_import
from registrations.models import ImportBatch, Registration, RegistrationDossier
from tests.factories import StaffFactory, UnitFactory, school_year
from units.models import Role, Staff

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
ORACLES = {p.name.removesuffix(".json"): json.loads(p.read_text(encoding="utf-8")) for p in (SAMPLES / "expected").glob("*.json")}
REFERENCE = ORACLES["clean_reference.xlsx"]["individual_rows"]


@pytest.fixture
def phuong5(db, catalogue):
    sgd = UnitFactory(code="SGD", name="Sở Giáo dục và Đào tạo tỉnh Long An", level="SGD")
    pgd = UnitFactory(code="PGD-TANAN", name="Phòng Giáo dục và Đào tạo thành phố Tân An", level="PGD", parent=sgd)
    unit = UnitFactory(code="THCS-TANAN-PHUONG5", name="Trường THCS Phường 5", level="THCS", parent=pgd)
    other = UnitFactory(code="THCS-TANAN-PHUONG7", name="Trường THCS Phường 7", level="THCS", parent=pgd)
    year = school_year("2020-2021")
    people = {}
    for row in REFERENCE:
        people[row["stt"]] = StaffFactory(
            unit=unit, full_name=row["ho_ten"], date_of_birth=datetime.date.fromisoformat(row["ngay_sinh"]),
            position=row["chuc_vu"], gender="F" if " Thị " in row["ho_ten"] else "M",
            start_date=datetime.date(2015, 9, 1),
        )
    return {"unit": unit, "other": other, "year": year, "people": people}


def run_command(path, *extra):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_registrations", str(path), "--unit", "THCS-TANAN-PHUONG5", "--year", "2020-2021",
                 *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def stored():
    return sorted(
        (r.staff.full_name, r.staff.date_of_birth.isoformat(), r.title.code, r.note)
        for r in Registration.objects.select_related("staff", "title").filter(subject="staff")
    )


def expected(oracle):
    return sorted((r["ho_ten"], r["ngay_sinh"], r["danh_hieu"], r["ghi_chu"]) for r in oracle["individual_rows"])


@pytest.mark.parametrize("name", sorted(ORACLES))
def test_each_sample_file_does_what_its_oracle_says(phuong5, name):
    oracle = ORACLES[name]
    if oracle["outcome"] == "accept":
        out, _ = run_command(SAMPLES / name)
        assert stored() == expected(oracle)
        assert Registration.objects.filter(subject="staff").count() == oracle["accepted"]["individual"]
        assert Registration.objects.exclude(subject="staff").count() == oracle["accepted"]["collective"]
        assert Staff.objects.count() == 20  # nobody invented (no "HIỆU TRƯỞNG", no 21st person)
    else:
        with pytest.raises(CommandError):
            run_command(SAMPLES / name)
        assert Registration.objects.count() == 0
        plan = plan_import((SAMPLES / name).read_bytes(), unit=phuong5["unit"], school_year=phuong5["year"], user=None)
        for error in oracle["errors"]:
            text = " ".join(str(p) for p in plan.errors)
            assert f"Trang tính “{error['sheet']}”" in text and f"“{error['column']}”" in text


def test_the_merged_official_form_ignores_total_row_and_signatures(phuong5):
    run_command(SAMPLES / "official_form_merged_header.xlsx")
    assert Staff.objects.filter(full_name="Hiệu Trưởng").count() == 0
    assert Staff.objects.filter(full_name="Nguyễn Văn An").count() == 1


def test_decomposed_file_after_the_clean_one_changes_nothing(phuong5):
    run_command(SAMPLES / "clean_reference.xlsx")
    before = stored()
    version = RegistrationDossier.objects.get().version
    out, _ = run_command(SAMPLES / "nfd_decomposed_text.xlsx")
    assert "Không có thay đổi nào" in out
    assert stored() == before and RegistrationDossier.objects.get().version == version


def test_the_same_file_twice_changes_nothing(phuong5):
    run_command(SAMPLES / "title_spelling_variants.xlsx")
    out, _ = run_command(SAMPLES / "title_spelling_variants.xlsx")
    assert "thêm 0, sửa 0, bỏ 0" in out and "Không có thay đổi nào" in out


def test_dry_run_saves_nothing(phuong5):
    out, _ = run_command(SAMPLES / "clean_reference.xlsx", "--dry-run")
    assert "thêm 20" in out and Registration.objects.count() == 0


def test_new_people_need_confirmation(phuong5):
    phuong5["people"][20].delete()
    with pytest.raises(CommandError):
        run_command(SAMPLES / "clean_reference.xlsx")
    assert Registration.objects.count() == 0
    run_command(SAMPLES / "clean_reference.xlsx", "--confirm-new-staff")
    assert Staff.objects.filter(full_name="Lý Quang Hiếu", unit=phuong5["unit"]).count() == 1
    assert Registration.objects.count() == 20


# --- files built here: each fault names sheet, row and column, and nothing is saved ---------------

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Chức vụ", "Tổ chuyên môn", "Danh hiệu đăng ký", "Ghi chú"]


def workbook(rows, header=HEADER, sheet="DS"):
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def plan_of(data, ctx, user=None):
    return plan_import(data, unit=ctx["unit"], school_year=ctx["year"], user=user)


AN = ["Nguyễn Văn An", datetime.datetime(1980, 9, 5)]  # noqa: DTZ001 (Excel date cells are naive)
HUONG = ["Lê Thị Thu Hương", "14/02/1983"]


@pytest.mark.parametrize(
    "rows, where, what",
    [
        ([[1, *AN, "", "", "Huân chương vàng", ""]], "dòng 2, cột “Danh hiệu đăng ký”", "không nhận ra danh hiệu"),
        ([[1, *AN, "", "", "Tập thể lao động tiên tiến", ""]], "dòng 2, cột “Danh hiệu đăng ký”", "danh hiệu tập thể"),
        ([[1, *AN, "", "", "LĐTT", ""], [2, *AN, "", "", "LĐTT", ""]], "dòng 3, cột “Họ và tên”", "đã có ở dòng 2"),
        ([[1, "Nguyễn Văn An", "31/02/1980", "", "", "LĐTT", ""]], "dòng 2, cột “Ngày sinh”", "không hợp lệ"),
        ([[1, *HUONG, "", "", "LĐTT", ""], [2, "", None, "", "", "LĐTT", ""]], "dòng 3, cột “Họ và tên”", "thiếu họ và tên"),
    ],
)
def test_row_errors_name_the_row_and_column(phuong5, rows, where, what):
    plan = plan_of(workbook(rows), phuong5)
    text = " | ".join(str(e) for e in plan.errors)
    assert f"Trang tính “DS”, {where}" in text and what in text
    with pytest.raises(ImportError_):
        apply_import(plan, user=None)
    assert Registration.objects.count() == 0


def test_a_person_of_another_unit_is_refused(phuong5):
    stranger = StaffFactory(unit=phuong5["other"], full_name="Mai Văn Khác", date_of_birth=datetime.date(1990, 1, 1))
    by_id = workbook([[1, "Mai Văn Khác", "01/01/1990", "", "", "LĐTT", "", stranger.pk]], header=[*HEADER, "Mã CB"])
    # The same answer whether the id exists in another unit or nowhere: other units' ids stay private.
    assert "không có cán bộ nào của đơn vị trong năm học mang mã" in " ".join(str(e) for e in plan_of(by_id, phuong5).errors)
    by_name = workbook([[1, "Mai Văn Khác", "01/01/1990", "", "", "LĐTT", ""]])
    assert "thuộc đơn vị khác" in " ".join(str(e) for e in plan_of(by_name, phuong5).errors)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "Tệp rỗng"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "tệp Excel cũ (.xls)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + b"\0" * 600, "đặt mật khẩu"),
        (b"PK\x03\x04 this is not really a zip", "không phải tệp Excel .xlsx"),
        (b"STT;Ho ten\n1;An\n", "không phải tệp Excel .xlsx"),
    ],
)
def test_files_that_are_not_real_xlsx(phuong5, data, message):
    plan = plan_of(data, phuong5)
    assert any(message in str(e) for e in plan.errors), plan.errors


def test_size_and_row_limits(phuong5, settings):
    data = workbook([[i, f"Nguyễn Văn {chr(65 + i % 26)}", "01/01/1980", "", "", "LĐTT", ""] for i in range(30)])
    settings.IMPORT_MAX_ROWS = 10
    assert any("vượt giới hạn" in str(e) for e in plan_of(data, phuong5).errors)
    settings.IMPORT_MAX_ROWS = 5000
    settings.IMPORT_MAX_BYTES = 1000
    assert any("vượt giới hạn" in str(e) for e in plan_of(data, phuong5).errors)


def test_formula_without_a_cached_value_is_an_error(phuong5):
    data = workbook([[1, *AN, "", "", "LĐTT", "=1+1"]])  # openpyxl writes no cached value
    plan = plan_of(data, phuong5)
    assert any("công thức" in str(e) and "dòng 2" in str(e) for e in plan.errors), plan.errors


def test_text_that_looks_like_a_formula_is_stored_as_text(phuong5):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([1, *AN, "", "", "LĐTT", None])
    ws["G2"].value = "=HYPERLINK(\"http://x\")"
    ws["G2"].data_type = "s"  # a text cell, as Excel saves text typed after an apostrophe
    out = io.BytesIO()
    wb.save(out)
    plan = plan_of(out.getvalue(), phuong5)
    apply_import(plan, user=None)
    assert Registration.objects.get().note == '=HYPERLINK("http://x")'


def test_unknown_columns_are_ignored_with_a_note(phuong5):
    plan = plan_of(workbook([[1, *AN, "", "", "LĐTT", "", "x"]], header=[*HEADER, "Số điện thoại"]), phuong5)
    assert plan.ok and any("Số điện thoại" in str(n) for n in plan.notes)


def test_tables_below_a_title_block_on_a_later_sheet(phuong5):
    wb = Workbook()
    wb.active.title = "Hướng dẫn"
    wb.active["A1"] = "Điền danh sách ở trang sau"
    ws = wb.create_sheet("Danh sách")
    ws["A1"] = "TRƯỜNG THCS PHƯỜNG 5"
    ws["A3"] = "DANH SÁCH ĐĂNG KÝ"
    ws.append([])
    ws.append(["stt", "HO VA TEN", "ngay  sinh", "Danh hieu dang ky"])
    ws.append(["1", "Nguyễn Văn An", 29469, "lao dong tien tien"])  # 29469 = 05/09/1980 as an Excel serial
    out = io.BytesIO()
    wb.save(out)
    plan = plan_of(out.getvalue(), phuong5)
    assert plan.ok, plan.errors
    assert [(p.full_name, p.date_of_birth, p.title_code) for p in plan.people] == [
        ("Nguyễn Văn An", datetime.date(1980, 9, 5), "LDTT")]


# --- the web path: template, upload, preview, confirm or cancel --------------------------------------

@pytest.fixture
def officer(phuong5):
    from tests.factories import UserFactory

    return UserFactory(unit=phuong5["unit"], role=Role.SCHOOL_OFFICER, username="canbo.p5")


def page(ctx, name, **kw):
    return reverse(name, kwargs={"unit_pk": ctx["unit"].pk, "year": ctx["year"].code, **kw})


def test_template_round_trip(phuong5, officer, client):
    client.force_login(officer)
    response = client.get(page(phuong5, "import_template"))
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["Cá nhân"]
    assert ws["A4"].value == "DANH SÁCH ĐĂNG KÝ DANH HIỆU THI ĐUA CÁ NHÂN" and ws["A5"].value == "Năm học 2020-2021"
    assert [c.value for c in ws[7]] == [*HEADER, "Mã CB"]
    assert ws.freeze_panes == "A8" and ws.data_validations.dataValidation
    assert ws.max_row >= 7 + 20
    # The officer fills three titles and uploads the template back.
    for r in (8, 9, 10):
        ws.cell(row=r, column=6, value="Lao động tiên tiến")
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "mau.xlsx"
    response = client.post(page(phuong5, "import_upload"), {"file": out})
    batch = ImportBatch.objects.get()
    assert response.url == page(phuong5, "import_preview", batch_pk=batch.pk)
    preview = client.get(response.url)
    assert preview.context["counts"] == {"add": 3, "change": 0, "remove": 0}
    assert Registration.objects.count() == 0  # the preview saves nothing
    client.post(response.url, {"confirm": "1"})
    assert Registration.objects.count() == 3
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED


def test_cancel_changes_nothing(phuong5, officer, client):
    client.force_login(officer)
    upload = io.BytesIO((SAMPLES / "clean_reference.xlsx").read_bytes())
    upload.name = "clean.xlsx"
    preview_url = client.post(page(phuong5, "import_upload"), {"file": upload}).url
    client.post(preview_url, {"cancel": "1"})
    assert Registration.objects.count() == 0
    assert ImportBatch.objects.get().status == ImportBatch.Status.CANCELLED


def test_another_units_officer_cannot_upload_or_see_a_batch(phuong5, officer, client):
    from tests.factories import UserFactory

    client.force_login(officer)
    upload = io.BytesIO((SAMPLES / "clean_reference.xlsx").read_bytes())
    upload.name = "clean.xlsx"
    preview_url = client.post(page(phuong5, "import_upload"), {"file": upload}).url
    intruder = UserFactory(unit=phuong5["other"], role=Role.SCHOOL_OFFICER, username="canbo.p7")
    client.force_login(intruder)
    assert client.get(preview_url).status_code == 404
    upload.seek(0)
    assert client.post(page(phuong5, "import_upload"), {"file": upload}).status_code == 404


def test_a_change_made_after_the_upload_is_not_overwritten(phuong5, officer, client):
    from registrations import services

    client.force_login(officer)
    upload = io.BytesIO((SAMPLES / "clean_reference.xlsx").read_bytes())
    upload.name = "clean.xlsx"
    preview_url = client.post(page(phuong5, "import_upload"), {"file": upload}).url
    services.dossier_save(unit=phuong5["unit"], school_year=phuong5["year"], user=officer, base_version=None,
                          entries=[services.staff_entry(phuong5["people"][3], "CSTDCS")])
    response = client.post(preview_url, {"confirm": "1"}, follow=True)
    assert "người khác cập nhật" in response.content.decode()
    assert Registration.objects.count() == 1


def test_people_below_a_blank_row_are_not_silently_dropped(phuong5):
    data = workbook([[1, *AN, "", "", "LĐTT", ""], [None] * 7, [2, *HUONG, "", "", "LĐTT", ""]])
    plan = plan_of(data, phuong5)
    assert any("bị ngắt ở dòng 3" in str(e) and "dòng 4" in str(e) for e in plan.errors), plan.errors


def test_signature_lines_below_the_table_are_not_people(phuong5):
    data = workbook([[1, *AN, "", "", "LĐTT", ""], [None] * 7, ["HIỆU TRƯỞNG"], [], ["Nguyễn Văn An"]])
    plan = plan_of(data, phuong5)
    assert plan.ok and [p.full_name for p in plan.people] == ["Nguyễn Văn An"]


def test_a_person_title_on_a_collective_is_refused(phuong5):
    data = workbook([[1, "Trường THCS Phường 5", "Lao động tiên tiến", ""]], header=["STT", "Tập thể", "Danh hiệu đăng ký", "Ghi chú"])
    plan = plan_of(data, phuong5)
    assert any("danh hiệu cá nhân, không đăng ký cho tập thể" in str(e) and "dòng 2" in str(e) for e in plan.errors)


def test_the_template_writes_formula_like_text_as_text(phuong5, officer, client):
    from registrations import services

    services.dossier_save(unit=phuong5["unit"], school_year=phuong5["year"], user=officer, base_version=None,
                          entries=[services.Entry("staff", phuong5["people"][1].pk, "LDTT", "=1+1 @cmd")])
    client.force_login(officer)
    ws = load_workbook(io.BytesIO(client.get(page(phuong5, "import_template")).content))["Cá nhân"]
    note = next(ws.cell(row=r, column=7) for r in range(8, ws.max_row + 1) if ws.cell(row=r, column=2).value == "Nguyễn Văn An")
    assert note.value == "=1+1 @cmd" and note.data_type == "s" and note.quotePrefix



def test_a_one_row_header_is_never_read_as_tick_columns(phuong5):
    """Officer's own file: no STT, titles cycling. Every title is read as written; nobody dropped."""
    people = list(phuong5["people"].values())[:6]
    codes = ["LĐTT", "CSTĐCS", "CSTĐ cấp tỉnh"] * 2
    rows = [[p.full_name, p.date_of_birth.strftime("%d/%m/%Y"), code, p.pk] for p, code in zip(people, codes, strict=True)]
    plan = plan_of(workbook(rows, header=["Họ và tên", "Ngày sinh", "Danh hiệu đăng ký", "Mã CB"]), phuong5)
    assert plan.ok, plan.errors
    assert [(p.full_name, p.title_code) for p in plan.people] == [
        (p.full_name, c) for p, c in zip(people, ["LDTT", "CSTDCS", "CSTD_TINH"] * 2, strict=True)]


def test_a_staff_id_that_belongs_to_someone_else_is_an_error(phuong5):
    a, b = phuong5["people"][1], phuong5["people"][2]
    rows = [[1, a.full_name, a.date_of_birth.strftime("%d/%m/%Y"), "", "", "LĐTT", "", b.pk]]
    plan = plan_of(workbook(rows, header=[*HEADER, "Mã CB"]), phuong5)
    assert any(f"mã {b.pk} là của {b.full_name}" in str(e) and "cột “Mã CB”" in str(e) for e in plan.errors)


def test_a_file_without_a_note_column_keeps_the_stored_notes(phuong5):
    from registrations import services

    a = phuong5["people"][1]
    services.dossier_save(unit=phuong5["unit"], school_year=phuong5["year"], user=None, base_version=None,
                          entries=[services.Entry("staff", a.pk, "LDTT", "Có sáng kiến")], system=True)
    rows = [[1, a.full_name, a.date_of_birth.strftime("%d/%m/%Y"), "CSTĐCS"]]
    plan = plan_of(workbook(rows, header=["STT", "Họ và tên", "Ngày sinh", "Danh hiệu đăng ký"]), phuong5)
    apply_import(plan, user=None)
    registration = Registration.objects.get(staff=a)
    assert (registration.title.code, registration.note) == ("CSTDCS", "Có sáng kiến")


def test_a_closed_year_is_refused_at_the_preview(phuong5):
    phuong5["year"].status = phuong5["year"].Status.CLOSED
    phuong5["year"].save()
    plan = plan_of((SAMPLES / "clean_reference.xlsx").read_bytes(), phuong5)
    assert any("đã kết thúc" in str(e) for e in plan.errors)
    with pytest.raises(CommandError):
        run_command(SAMPLES / "clean_reference.xlsx", "--dry-run")


def test_a_new_person_with_an_impossible_birth_date_is_an_error_in_the_preview(phuong5):
    plan = plan_of(workbook([[1, "Mai Thị Mới", "15/03/2020", "", "", "LĐTT", ""]]), phuong5)
    assert any("không hợp lý cho cán bộ mới" in str(e) and "cột “Ngày sinh”" in str(e) for e in plan.errors)


def test_a_million_formatted_empty_rows_are_refused_before_loading(phuong5):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([1, *AN, "", "", "LĐTT", ""])
    for r in range(3, 9000):
        ws.row_dimensions[r].height = 15  # formatted, empty
        ws.cell(row=r, column=1).number_format = "0"
    out = io.BytesIO()
    wb.save(out)
    assert any("quá nhiều dòng" in str(e) for e in plan_of(out.getvalue(), phuong5).errors)


def test_the_signature_block_and_date_line_end_the_table(phuong5):
    data = workbook([[1, *AN, "", "", "LĐTT", ""], [None, None, None, None, None, None, "Tân An, ngày 25 tháng 9 năm 2020"],
                     ["NGƯỜI LẬP BIỂU", None, None, "HIỆU TRƯỞNG"]])
    plan = plan_of(data, phuong5)
    assert plan.ok, plan.errors
    assert [p.full_name for p in plan.people] == ["Nguyễn Văn An"]


def test_a_person_whose_name_reads_like_a_signature_line_is_kept(phuong5):
    data = workbook([[None, "Trương Phong", "01/02/1985", "", "", "LĐTT", ""], [None, "Công Thị Hoa", "02/03/1986", "", "", "LĐTT", ""]])
    plan = plan_of(data, phuong5)
    assert [p.full_name for p in plan.people] == ["Trương Phong", "Công Thị Hoa"]
