"""Excel import of the history the rules read (awards/history_import.py): the sample file, each
kind of bad input (named by sheet, row and column, nothing saved), re-imports, the page's scope,
the command, and the verdicts that read what was imported."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from awards.history_import import apply_history, parse_discipline, parse_level, parse_months, parse_rating, plan_history
from awards.models import AnnualRecord, Initiative, RecognisedTitle, Title
from awards.verdicts import verdicts_for
from registrations.models import ImportBatch, Registration, RegistrationDossier, SchoolYear
from tests.factories import StaffFactory, school_year
from units import services as unit_services
from units.models import Role

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "history_sample.xlsx"
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Xếp loại", "Số tháng công tác", "Nghỉ thai sản (tháng)", "Kỷ luật",
          "Danh hiệu đã đạt", "Số quyết định", "Sáng kiến", "Cấp sáng kiến"]
CLOSED = SchoolYear.Status.CLOSED


@pytest.fixture
def history(tree, catalogue):
    """The sample file's five people at school A1 (2015 on), one at B1, and three closed years."""
    years = {y: school_year(f"{y}-{y + 1}", status=CLOSED) for y in (2017, 2018, 2019)}
    years[2020] = school_year("2020-2021")
    a1 = tree["a1"]
    people = {
        "khoa": StaffFactory(unit=a1, full_name="Nguyễn Văn Khoa", date_of_birth=datetime.date(1980, 3, 12), gender="M",
                             start_date=datetime.date(2015, 9, 1)),
        "ngoc": StaffFactory(unit=a1, full_name="Trần Thị Bích Ngọc", date_of_birth=datetime.date(1990, 7, 25),
                             start_date=datetime.date(2015, 9, 1)),
        "cuong": StaffFactory(unit=a1, full_name="Lê Văn Cường", date_of_birth=datetime.date(1978, 11, 2), gender="M",
                              start_date=datetime.date(2015, 9, 1)),
        "diu": StaffFactory(unit=a1, full_name="Phạm Thị Dịu", date_of_birth=datetime.date(1985, 1, 30),
                            start_date=datetime.date(2015, 9, 1)),
        "em": StaffFactory(unit=a1, full_name="Hoàng Văn Em", date_of_birth=datetime.date(1982, 6, 15), gender="M",
                           start_date=datetime.date(2015, 9, 1)),
        "binh": StaffFactory(unit=tree["b1"], full_name="Lê Văn Bình", date_of_birth=datetime.date(1979, 4, 4),
                             gender="M", start_date=datetime.date(2015, 9, 1)),
    }
    return {"unit": a1, "years": years, "people": people, "tree": tree}


def book(rows, header=HEADER, sheet="DS", title_block=True) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title_block:
        ws.append(["TRƯỜNG TIỂU HỌC AN PHÚ"])
        ws.append(["KẾT QUẢ ĐÁNH GIÁ NĂM HỌC"])
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(stt, name, dob, rating="HTTNV", months=12, maternity=None, discipline=None, titles="LĐTT", ref="", ini=None,
        level=None):
    return [stt, name, dob, rating, months, maternity, discipline, titles, ref, ini, level]


def khoa(**kw):
    return row(1, "Nguyễn Văn Khoa", "12/03/1980", **kw)


def ngoc(**kw):
    return row(2, "Trần Thị Bích Ngọc", "25/07/1990", **kw)


def plan_of(data, history, year=2019, user=None):
    return plan_history(data, unit=history["unit"], school_year=history["years"][year], user=user)


def run(path_or_bytes, *extra, year="2019-2020", unit="TH-A-1", tmp_path=None):
    if isinstance(path_or_bytes, bytes):
        path = tmp_path / "lich-su.xlsx"
        path.write_bytes(path_or_bytes)
    else:
        path = path_or_bytes
    out, err = io.StringIO(), io.StringIO()
    call_command("import_history", str(path), "--unit", unit, "--year", year, *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def nothing_saved():
    return (AnnualRecord.objects.count(), RecognisedTitle.objects.count(), Initiative.objects.count()) == (0, 0, 0)


def titles_of(staff, start=2019):
    return sorted(RecognisedTitle.objects.filter(staff=staff, school_year__code=f"{start}-{start + 1}")
                  .values_list("title_code", flat=True))


# --- the sample file -------------------------------------------------------------------------

def test_the_sample_file_imports_through_the_command(history):
    out, _ = run(SAMPLE)
    p = history["people"]
    assert "5 người; thêm 5, sửa 0, không đổi 0" in out
    rec = {r.staff_id: r for r in AnnualRecord.objects.all()}
    assert {k: rec[s.pk].rating for k, s in p.items() if s.pk in rec} == {
        "khoa": "HTXSNV", "ngoc": "HTTNV", "cuong": "HTTNV", "diu": "HTNV", "em": "HTXSNV"}
    assert rec[p["ngoc"].pk].months_worked == Decimal("9.0") and rec[p["ngoc"].pk].maternity_months == Decimal("3.0")
    assert rec[p["diu"].pk].months_worked == Decimal("11.5")
    assert rec[p["cuong"].pk].discipline == "khien_trach"
    assert {r.source for r in rec.values()} == {"import"}
    assert titles_of(p["khoa"]) == ["CSTDCS", "LDTT"] and titles_of(p["em"]) == ["CSTDCS", "LDTT"]
    assert titles_of(p["ngoc"]) == ["LDTT"] and titles_of(p["cuong"]) == [] and titles_of(p["diu"]) == []
    assert set(RecognisedTitle.objects.values_list("reference", "source")) == {("45/QĐ-PGDĐT", "import")}
    # Two authors of one initiative: one Initiative with both.
    initiative = Initiative.objects.get()
    assert initiative.level == "co_so" and initiative.school_year.code == "2019-2020"
    assert set(initiative.authors.all()) == {p["khoa"], p["em"]}
    assert AnnualRecord.objects.filter(staff=p["binh"]).count() == 0


def test_the_same_file_twice_changes_nothing(history):
    run(SAMPLE)
    before = list(AnnualRecord.objects.order_by("pk").values_list("pk", "rating", "updated_at"))
    titles = list(RecognisedTitle.objects.order_by("pk").values_list("pk", "title_code", "reference"))
    out, _ = run(SAMPLE)
    assert "thêm 0, sửa 0, không đổi 5" in out and "Không có thay đổi nào" in out
    assert list(AnnualRecord.objects.order_by("pk").values_list("pk", "rating", "updated_at")) == before
    assert list(RecognisedTitle.objects.order_by("pk").values_list("pk", "title_code", "reference")) == titles
    assert Initiative.objects.count() == 1 and Initiative.authors.through.objects.count() == 2


def test_dry_run_saves_nothing(history):
    out, _ = run(SAMPLE, "--dry-run")
    assert "thêm 5" in out and "Chạy thử" in out
    assert nothing_saved()


# --- bad input: named by sheet, row and column; nothing saved -----------------------------------

BAD = [
    ("unknown rating", [khoa(rating="Xuất sắc lắm")], "dòng 4", "Xếp loại", "không nhận ra xếp loại"),
    ("unknown title", [khoa(titles="LĐTT; Danh hiệu vui vẻ")], "dòng 4", "Danh hiệu đã đạt", "không nhận ra danh hiệu"),
    ("collective title", [khoa(titles="Tập thể lao động tiên tiến")], "dòng 4", "Danh hiệu đã đạt", "danh hiệu tập thể"),
    ("not in the unit", [row(1, "Đỗ Thị Lạ", "01/01/1988")], "dòng 4", "Họ và tên", "không có cán bộ"),
    ("twice", [khoa(), ngoc(), khoa(rating="HTXSNV")], "dòng 6", "Họ và tên", "đã có ở dòng 4"),
    ("bad date", [row(1, "Nguyễn Văn Khoa", "31/02/1980")], "dòng 4", "Ngày sinh", "không hợp lệ"),
    ("no date", [row(1, "Nguyễn Văn Khoa", None)], "dòng 4", "Ngày sinh", "thiếu ngày sinh"),
    ("wrong date", [row(1, "Nguyễn Văn Khoa", "13/03/1980")], "dòng 4", "Họ và tên", "không có cán bộ"),
    ("another unit's person", [row(1, "Lê Văn Bình", "04/04/1979")], "dòng 4", "Họ và tên", "không có cán bộ"),
    ("months over 12", [khoa(months=13)], "dòng 4", "Số tháng công tác", "từ 0 đến 12"),
    ("months and maternity over 12", [khoa(months=12, maternity=4)], "dòng 4", "Số tháng công tác", "vượt 12"),
    ("months not a number", [khoa(months="cả năm")], "dòng 4", "Số tháng công tác", "không phải là số tháng"),
    ("unknown discipline", [khoa(discipline="Phê bình")], "dòng 4", "Kỷ luật", "hình thức kỷ luật"),
    ("initiative without level", [khoa(ini="Sáng kiến A")], "dòng 4", "Cấp sáng kiến", "thiếu cấp"),
    ("unknown level", [khoa(ini="Sáng kiến A", level="cấp trường làng")], "dòng 4", "Cấp sáng kiến", "không nhận ra cấp"),
    ("references do not pair", [khoa(titles="LĐTT; CSTĐCS; GK", ref="1/QĐ; 2/QĐ")], "dòng 4", "Số quyết định",
     "2 số quyết định cho 3 danh hiệu"),
    ("one initiative, two levels", [khoa(ini="Sáng kiến A", level="Cơ sở"), ngoc(ini="sang kien a", level="Tỉnh")],
     "dòng 5", "Cấp sáng kiến", "ở dòng 4"),
]


@pytest.mark.parametrize("rows, where, column, what", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_rows_are_named_and_nothing_is_saved(history, tmp_path, rows, where, column, what):
    data = book(rows)
    plan = plan_of(data, history)
    text = " | ".join(str(p) for p in plan.errors)
    assert not plan.ok
    assert f"Trang tính “DS”, {where}, cột “{column}”" in text and what in text, text
    with pytest.raises(CommandError):
        run(data, tmp_path=tmp_path)
    assert nothing_saved()


def test_a_staff_id_must_be_of_the_unit_and_match_name_and_birth_date(history):
    p = history["people"]
    header = ["STT", "Mã CB", "Họ và tên", "Ngày sinh", "Xếp loại"]
    plan = plan_of(book([[1, p["binh"].pk, "Lê Văn Bình", "04/04/1979", "HTTNV"],
                         [2, p["khoa"].pk, "Trần Thị Bích Ngọc", "25/07/1990", "HTTNV"],
                         [3, p["ngoc"].pk, "Trần Thị Bích Ngọc", "", "HTXSNV"]], header=header), history)
    text = " | ".join(str(e) for e in plan.errors)
    assert f"dòng 4, cột “Mã CB”: không có cán bộ nào mang mã {p['binh'].pk}" in text
    assert "dòng 5, cột “Mã CB”" in text and "không khớp" in text
    assert "dòng 6" not in text  # the id alone (with the right name) finds the person
    assert len(plan.errors) == 2


def test_a_missing_required_column_is_named(history, tmp_path):
    header = [h for h in HEADER if h != "Xếp loại"]
    data = book([[1, "Nguyễn Văn Khoa", "12/03/1980", 12, None, None, "LĐTT", "", None, None]], header=header)
    text = " | ".join(str(e) for e in plan_of(data, history).errors)
    assert "Trang tính “DS”, dòng 3, cột “Xếp loại”: thiếu cột bắt buộc" in text
    with pytest.raises(CommandError):
        run(data, tmp_path=tmp_path)
    assert nothing_saved()


def test_someone_who_left_before_the_year_is_not_found(history):
    p = history["people"]
    unit_services.staff_transfer(p["khoa"], to_unit=history["tree"]["b1"], on_date=datetime.date(2019, 6, 1))
    plan = plan_of(book([khoa()]), history)
    assert "không có cán bộ “Nguyễn Văn Khoa”" in str(plan.errors[0])
    assert plan_of(book([khoa()]), history, year=2018).ok  # in 2018-2019 the person was still at A1


def test_a_registration_file_is_not_a_history_file(history):
    data = book([[1, "Nguyễn Văn Khoa", "12/03/1980", "Lao động tiên tiến"]],
                header=["STT", "Họ và tên", "Ngày sinh", "Danh hiệu đăng ký"])
    text = " | ".join(str(e) for e in plan_of(data, history).errors)
    assert "Không tìm thấy bảng lịch sử" in text or "thiếu cột bắt buộc “Xếp loại”" in text


# --- values ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, code", [
    ("HTXSNV", "HTXSNV"), ("Hoàn thành xuất sắc nhiệm vụ", "HTXSNV"), ("hoan thanh xuat sac nhiem vu", "HTXSNV"),
    ("HOÀN THÀNH TỐT NHIỆM VỤ", "HTTNV"), ("hoan thanh tot nhiem vu", "HTTNV"), ("HT TNV", "HTTNV"), ("htt", "HTTNV"),
    ("Hoàn thành nhiệm vụ", "HTNV"), ("Không hoàn thành nhiệm vụ", "KHTNV"), ("KHTNV", "KHTNV"),
    ("Hoàn thành tốt nhiệm vụ (HTTNV)", "HTTNV"), ("", ""), ("Chưa xếp loại", ""),
])
def test_ratings_are_read_in_every_spelling(text, code):
    assert parse_rating(text) == code


@pytest.mark.parametrize("text", ["Tốt", "Hoàn thành tốt nhiệm vụ (HTXSNV)", "Xuất sắc"])
def test_ratings_that_mean_nothing_or_two_things_are_refused(text):
    with pytest.raises(ValueError):
        parse_rating(text)


def test_disciplines_levels_and_months():
    assert parse_discipline("Kỷ luật khiển trách") == "khien_trach" and parse_discipline("Không") == ""
    assert parse_discipline("canh cao") == "canh_cao" and parse_discipline("") == ""
    assert parse_level("Cấp tỉnh") == "tinh_bo" and parse_level("Tỉnh/Bộ") == "tinh_bo" and parse_level("CS") == "co_so"
    assert parse_months("9,5", blank=None) == Decimal("9.5") and parse_months(None, blank=None) is None
    assert parse_months("10 tháng", blank=None) == Decimal("10.0")
    with pytest.raises(ValueError):
        parse_months("9,25", blank=None)


def test_title_spellings_and_legacy_text(history):
    data = book([khoa(titles="Chiến sĩ thi đua cơ sở + lao dong tien tien"), ngoc(titles="CSTĐ CS; Giấy khen")])
    plan = plan_of(data, history)
    assert plan.ok, plan.errors
    assert {r.staff.full_name: [c for c, _ in r.titles] for r in plan.rows} == {
        "Nguyễn Văn Khoa": ["CSTDCS", "LDTT"], "Trần Thị Bích Ngọc": ["CSTDCS", "GK"]}


def test_titles_are_those_of_the_years_regime(history):
    y2023 = school_year("2023-2024", status=CLOSED)
    plan = plan_history(book([khoa()]), unit=history["unit"], school_year=y2023, user=None)
    assert plan.regime.code == "2023"
    assert plan_of(book([khoa()]), history).regime.code == "2017"
    y2023.regime = Title.objects.get(regime__code="2017", code="LDTT").regime  # the Sở points it elsewhere
    y2023.save()
    assert plan_history(book([khoa()]), unit=history["unit"], school_year=y2023, user=None).regime.code == "2017"


# --- re-imports --------------------------------------------------------------------------------

def test_a_reimport_replaces_imported_titles_only(history, tmp_path):
    p = history["people"]
    year = history["years"][2019]
    RecognisedTitle.objects.create(staff=p["khoa"], school_year=year, title_code="BK_TINH", reference="9/QĐ-UBND",
                                   source="decision")
    RecognisedTitle.objects.create(staff=p["ngoc"], school_year=year, title_code="LDTT", source="decision")
    run(book([khoa(titles="CSTĐCS; LĐTT", ref="1/QĐ"), ngoc(titles="LĐTT", ref="1/QĐ")]), tmp_path=tmp_path)
    assert titles_of(p["khoa"]) == ["BK_TINH", "CSTDCS", "LDTT"]
    assert RecognisedTitle.objects.filter(staff=p["ngoc"]).count() == 1  # not twice: the decision's is kept
    out, _ = run(book([khoa(titles="LĐTT", ref="2/QĐ"), ngoc(titles="")]), tmp_path=tmp_path)
    assert "− CSTĐCS" in out and "LĐTT: số quyết định 1/QĐ → 2/QĐ" in out
    assert titles_of(p["khoa"]) == ["BK_TINH", "LDTT"]
    assert RecognisedTitle.objects.get(staff=p["khoa"], title_code="LDTT").reference == "2/QĐ"
    assert RecognisedTitle.objects.get(staff=p["khoa"], title_code="BK_TINH").source == "decision"
    assert titles_of(p["ngoc"]) == ["LDTT"]  # another source's title is never removed by a file


def test_a_column_the_file_does_not_have_keeps_what_is_stored(history, tmp_path):
    p = history["people"]
    run(book([khoa(discipline="Cảnh cáo", titles="LĐTT")]), tmp_path=tmp_path)
    header = ["STT", "Họ và tên", "Ngày sinh", "Xếp loại"]
    run(book([[1, "Nguyễn Văn Khoa", "12/03/1980", "HTXSNV"]], header=header), tmp_path=tmp_path)
    record = AnnualRecord.objects.get(staff=p["khoa"])
    assert (record.rating, record.discipline, record.months_worked) == ("HTXSNV", "canh_cao", Decimal("12.0"))
    assert titles_of(p["khoa"]) == ["LDTT"]


def test_a_record_from_another_source_becomes_an_imported_one_only_when_changed(history, tmp_path):
    p = history["people"]
    AnnualRecord.objects.create(staff=p["khoa"], school_year=history["years"][2019], rating="HTNV", months_worked=12,
                                source="demo")
    AnnualRecord.objects.create(staff=p["ngoc"], school_year=history["years"][2019], rating="HTTNV", months_worked=12,
                                source="demo")
    RecognisedTitle.objects.create(staff=p["ngoc"], school_year=history["years"][2019], title_code="LDTT", source="demo")
    out, _ = run(book([khoa(rating="HTXSNV", titles=""), ngoc(titles="")]), tmp_path=tmp_path)
    assert "sửa 1, không đổi 1" in out and "Xếp loại Hoàn thành nhiệm vụ → Hoàn thành xuất sắc nhiệm vụ" in out
    assert AnnualRecord.objects.get(staff=p["khoa"]).source == "import"
    assert AnnualRecord.objects.get(staff=p["ngoc"]).source == "demo"  # identical: left as it was
    plan = plan_of(book([ngoc(titles="")]), history)
    assert plan.diffs[0].titles_kept == ["LĐTT (nguồn khác, giữ nguyên)"] and plan.diffs[0].kind == "same"


# --- the page ----------------------------------------------------------------------------------

def page_url(unit, year="2019-2020"):
    return reverse("history_page", args=[unit.pk, year])


def upload(client, unit, data, year="2019-2020", name="lich-su.xlsx"):
    f = io.BytesIO(data)
    f.name = name
    return client.post(reverse("history_upload", args=[unit.pk, year]), {"file": f})


def test_the_page_is_scoped_and_viewers_only_read(history, make_user, login, officer_a1, client):
    unit = history["unit"]
    viewer = make_user("a1", Role.VIEWER, username="viewer.a1")
    login(viewer)
    response = client.get(page_url(unit))
    assert response.status_code == 200 and "Nguyễn Văn Khoa" in response.content.decode()
    assert "history-upload-form" not in response.content.decode()
    assert upload(client, unit, SAMPLE.read_bytes()).status_code == 403
    assert client.get(reverse("history_template", args=[unit.pk, "2019-2020"])).status_code == 200
    login(officer_a1)
    assert client.get(page_url(history["tree"]["b1"])).status_code == 404
    assert client.get(reverse("history_template", args=[history["tree"]["b1"].pk, "2019-2020"])).status_code == 404
    assert upload(client, history["tree"]["b1"], SAMPLE.read_bytes()).status_code == 404
    assert "history-upload-form" in client.get(page_url(unit)).content.decode()
    assert nothing_saved() and ImportBatch.objects.count() == 0


@pytest.mark.parametrize("who, status", [("officer_a1", 302), ("head_a1", 302), ("reviewer_a", 403),
                                         ("dept_reviewer", 302), ("dept_admin", 302)])
def test_who_may_import(history, login, client, request, who, status):
    login(request.getfixturevalue(who))
    assert upload(client, history["unit"], SAMPLE.read_bytes()).status_code == status


def test_upload_preview_confirm(history, officer_a1, login, client):
    login(officer_a1)
    unit = history["unit"]
    response = upload(client, unit, SAMPLE.read_bytes())
    batch = ImportBatch.objects.get()
    assert batch.summary["kind"] == "history" and batch.sha256 and batch.status == ImportBatch.Status.PREVIEW
    assert response.url == reverse("history_preview", args=[unit.pk, "2019-2020", batch.pk])
    page = client.get(response.url).content.decode()
    assert 'id="count-add">5<' in page and "Hoàn thành xuất sắc nhiệm vụ" in page and "+ CSTĐCS" in page
    assert nothing_saved()
    assert client.get(response.url + "?show=same").content.decode().count("không đổi</span>") == 0
    done = client.post(response.url, {"confirm": "1"})
    assert done.status_code == 302 and AnnualRecord.objects.count() == 5
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED and batch.summary["applied_changes"] == 5
    shown = client.get(page_url(unit)).content.decode()
    assert "HTXSNV" in shown and "Dùng bản đồ tư duy khi dạy Toán lớp 5" in shown and "45/QĐ-PGDĐT" in shown
    # A second click on the same preview does nothing more.
    again = client.post(response.url, {"confirm": "1"})
    assert again.status_code == 200 and "đã được xử lý" in again.content.decode()


def test_cancel_saves_nothing(history, officer_a1, login, client):
    login(officer_a1)
    response = upload(client, history["unit"], SAMPLE.read_bytes())
    client.post(response.url, {"cancel": "1"})
    assert ImportBatch.objects.get().status == ImportBatch.Status.CANCELLED and nothing_saved()
    assert client.post(response.url, {"confirm": "1"}).status_code == 200 and nothing_saved()


def test_errors_in_the_preview_save_nothing(history, officer_a1, login, client):
    login(officer_a1)
    response = upload(client, history["unit"], book([khoa(rating="Giỏi")]))
    page = client.get(response.url).content.decode()
    assert "Trang tính “DS”, dòng 4, cột “Xếp loại”" in page and "Xác nhận nhập" not in page
    assert ImportBatch.objects.get().status == ImportBatch.Status.REJECTED
    client.post(response.url, {"confirm": "1"})
    assert nothing_saved()


def test_a_preview_made_stale_by_another_import_is_not_applied(history, officer_a1, login, client, tmp_path):
    login(officer_a1)
    response = upload(client, history["unit"], book([khoa(rating="HTXSNV")]))
    client.get(response.url)
    run(book([khoa(rating="HTNV")]), tmp_path=tmp_path)  # someone else, meanwhile
    page = client.post(response.url, {"confirm": "1"}).content.decode()
    assert 'id="stale"' in page
    assert AnnualRecord.objects.get().rating == "HTNV"
    client.post(response.url, {"confirm": "1"})  # confirmed again, on the new preview
    assert AnnualRecord.objects.get().rating == "HTXSNV"


def test_registration_and_history_batches_do_not_mix(history, officer_a1, login, client):
    login(officer_a1)
    unit = history["unit"]
    upload(client, unit, SAMPLE.read_bytes(), year="2020-2021")
    history_batch = ImportBatch.objects.get()
    assert client.get(reverse("import_preview", args=[unit.pk, "2020-2021", history_batch.pk])).status_code == 404
    assert client.post(reverse("import_preview", args=[unit.pk, "2020-2021", history_batch.pk]),
                       {"confirm": "1"}).status_code == 404
    registration = ImportBatch.objects.create(unit=unit, school_year=history["years"][2020], user=officer_a1,
                                              file_name="dk.xlsx", content=b"x", sha256="0" * 64)
    assert client.get(reverse("history_preview", args=[unit.pk, "2020-2021", registration.pk])).status_code == 404
    assert client.get(reverse("history_preview", args=[unit.pk, "2020-2021", history_batch.pk])).status_code == 200


def test_another_users_batch_is_not_found(history, officer_a1, head_a1, login, client):
    login(officer_a1)
    response = upload(client, history["unit"], SAMPLE.read_bytes())
    login(head_a1)
    assert client.get(response.url).status_code == 404


def test_the_template_round_trips(history, officer_a1, login, client, tmp_path):
    run(SAMPLE)
    login(officer_a1)
    response = client.get(reverse("history_template", args=[history["unit"].pk, "2019-2020"]))
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["Lịch sử thi đua"]
    assert [c.value for c in ws[7]][:4] == ["STT", "Họ và tên", "Ngày sinh", "Xếp loại"]
    assert any("Hoàn thành xuất sắc nhiệm vụ" in (dv.formula1 or "") for dv in ws.data_validations.dataValidation)
    assert "Danh mục" in wb.sheetnames
    out, _ = run(response.content, tmp_path=tmp_path)
    assert "thêm 0, sửa 0, không đổi 5" in out


def test_the_dossier_page_links_to_the_history(history, officer_a1, login, client):
    login(officer_a1)
    page = client.get(reverse("dossier_page", args=[history["unit"].pk, "2019-2020"])).content.decode()
    assert page_url(history["unit"]) in page


def test_the_staff_page_shows_the_persons_years(history, officer_a1, login, client):
    run(SAMPLE)
    login(officer_a1)
    page = client.get(reverse("staff_detail", args=[history["people"]["khoa"].pk])).content.decode()
    assert "2019-2020" in page and "HTXSNV" in page and "CSTĐCS" in page


# --- query counts --------------------------------------------------------------------------------

def many(n):
    return [row(i + 1, f"Nguyễn Thị Số {'ABCDEGHIKLMNOPQRSTUVXY'[i % 22]}{'abcdeg'[i // 22]}", "01/01/1990",
                titles="LĐTT; CSTĐCS", ini=f"Sáng kiến {i}", level="Cơ sở") for i in range(n)]


def test_preview_and_page_queries_do_not_grow_per_row(history, officer_a1):
    unit = history["unit"]
    for r in many(40):
        StaffFactory(unit=unit, full_name=r[1], date_of_birth=datetime.date(1990, 1, 1), start_date=datetime.date(2015, 9, 1))
    counts = []
    for n in (4, 40):
        data = book(many(n))
        with CaptureQueriesContext(connection) as ctx:
            plan = plan_of(data, history, user=officer_a1)
        assert plan.ok and len(plan.rows) == n, plan.errors
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    applied = []
    for n in (4, 40):
        AnnualRecord.objects.all().delete()
        RecognisedTitle.objects.all().delete()
        Initiative.objects.all().delete()
        plan = plan_of(book(many(n)), history)
        with CaptureQueriesContext(connection) as ctx:
            apply_history(plan=plan, user=None)
        applied.append(len(ctx.captured_queries))
    assert applied[0] == applied[1], applied


def test_the_page_queries_do_not_grow_per_person(history, officer_a1, login, client, tmp_path):
    login(officer_a1)
    unit = history["unit"]
    run(SAMPLE)
    client.get(page_url(unit))
    with CaptureQueriesContext(connection) as small:
        client.get(page_url(unit))
    for r in many(30):
        StaffFactory(unit=unit, full_name=r[1], date_of_birth=datetime.date(1990, 1, 1), start_date=datetime.date(2015, 9, 1))
    run(book(many(30)), tmp_path=tmp_path)
    with CaptureQueriesContext(connection) as big:
        response = client.get(page_url(unit))
    assert response.content.decode().count("Sáng kiến 2") >= 1
    assert len(big.captured_queries) == len(small.captured_queries)


# --- the rules read what was imported ------------------------------------------------------------

def test_three_imported_cstdcs_make_a_provincial_candidate_pass_that_criterion(history, tmp_path):
    p = history["people"]
    dossier = RegistrationDossier.objects.create(unit=history["unit"], school_year=history["years"][2020])
    cstd = Title.objects.get(regime__code="2017", code="CSTD_TINH")
    registration = Registration.objects.create(dossier=dossier, school_year=history["years"][2020], subject="staff",
                                               staff=p["khoa"], title=cstd)

    def reason():
        verdict = verdicts_for([registration], history["years"][2020])[registration.pk].verdict
        return next(r for r in verdict.reasons if r.criterion == "prereq:CSTDCS:3")

    assert reason().status != "passed"
    for year in (2017, 2018):
        run(book([khoa(rating="HTXSNV", titles="CSTĐCS; LĐTT", ini=f"Sáng kiến {year}", level="Cơ sở")]),
            year=f"{year}-{year + 1}", tmp_path=tmp_path)
    assert reason().status != "passed"  # two years are not three
    run(book([khoa(rating="HTXSNV", titles="Chiến sĩ thi đua cơ sở; LĐTT", ini="Sáng kiến 2019", level="Cơ sở")]),
        tmp_path=tmp_path)
    assert reason().status == "passed", reason().message


def test_names_and_phrases_in_legacy_fonts_or_decomposed_are_read(history):
    import unicodedata

    from registrations.importing.normalize import encode_legacy

    data = book([row(1, encode_legacy("Nguyễn Văn Khoa", "tcvn3"), "12/03/1980",
                     rating=encode_legacy("Hoàn thành tốt nhiệm vụ", "vni")),
                 row(2, unicodedata.normalize("NFD", "Trần Thị Bích Ngọc"), "25/07/1990",
                     rating=unicodedata.normalize("NFD", "Hoàn thành xuất sắc nhiệm vụ"))])
    plan = plan_of(data, history)
    assert plan.ok, plan.errors
    assert [(r.staff.full_name, r.rating) for r in plan.rows] == [("Nguyễn Văn Khoa", "HTTNV"),
                                                                  ("Trần Thị Bích Ngọc", "HTXSNV")]


def test_every_discipline_the_rules_know_is_a_choice_of_the_record():
    """An imported "Giáng chức" must be storable and shown with its Vietnamese label."""
    from awards.models import AnnualRecord
    from awards.rules.model import DISCIPLINES

    assert set(DISCIPLINES) == set(AnnualRecord.Discipline.values)
    assert AnnualRecord.Discipline("giang_chuc").label == "Giáng chức"


@pytest.mark.parametrize("page", ["import_upload", "history_upload"])
def test_both_uploads_say_what_is_wrong_with_the_file_and_keep_nothing(tree, year, make_user, login, settings, page):
    """One check for the registration and the history uploads: no file chosen, or too big."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from registrations.models import ImportBatch
    from units.models import Role

    settings.IMPORT_MAX_BYTES = 10
    client = login(make_user("a1", Role.SCHOOL_OFFICER))
    url = reverse(page, args=[tree["a1"].pk, year.code])
    none = client.post(url, {}, follow=True).content.decode()
    assert "Chưa chọn tệp Excel để tải lên." in none
    big = client.post(url, {"file": SimpleUploadedFile("lon.xlsx", b"x" * 2_000_000)}, follow=True).content.decode()
    assert "vượt giới hạn" in big and "2.0 MB" in big
    assert not ImportBatch.objects.exists()
