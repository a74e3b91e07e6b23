"""A collective's own result of the year (CollectiveRecord): imported from the history file's
"Tập thể" sheet (good and bad rows, all or nothing, the same file twice, the template, the page),
and read by the collective verdicts (TTLĐTT, TTLĐXS) with its source, in a constant number of
queries."""

from __future__ import annotations

import io

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from awards.history_import import plan_history
from awards.models import AnnualRecord, CollectiveRecord
from awards.rules import engine
from awards.verdicts import rules_from_yaml, verdicts_for
from registrations import services
from registrations.models import ImportBatch, Registration, RegistrationDossier
from registrations.services import Entry
from tests.factories import StaffFactory, letters
from units.models import Collective

Subject = Registration.Subject
PEOPLE = ["STT", "Họ và tên", "Ngày sinh", "Xếp loại"]
TEAMS = ["STT", "Tên tập thể", "Xếp loại"]


@pytest.fixture
def staff_x(tree, year):
    return [StaffFactory(unit=tree["x"], full_name=f"Võ Thị {letters(i)}", team="Tổ Toán" if i < 6 else "Tổ Văn")
            for i in range(12)]


@pytest.fixture
def teams(tree, staff_x):
    return {c.name: c for c in Collective.objects.filter(unit=tree["x"])}


def book(collectives=None, people=None, sheet="Tập thể", header=TEAMS) -> bytes:
    wb = Workbook()
    first = wb.active
    if people is not None:
        first.title = "DS"
        first.append(["TRƯỜNG THPT XUÂN LỘC"])
        first.append(PEOPLE)
        for r in people:
            first.append(r)
        ws = wb.create_sheet(sheet)
    else:
        ws, ws.title = first, sheet
    ws.append(["KẾT QUẢ XẾP LOẠI TẬP THỂ"])
    ws.append(header)
    for r in collectives or []:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run(data, tmp_path, *extra, unit="THPT-X", year="2020-2021"):
    from django.core.management import call_command

    path = tmp_path / "lich-su.xlsx"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_history", str(path), "--unit", unit, "--year", year, *extra, stdout=out, stderr=err)
    return out.getvalue()


def results(unit):
    return {(r.collective.name if r.collective else "unit"): (r.rating, r.source)
            for r in CollectiveRecord.objects.filter(unit=unit).select_related("collective")}


GOOD = [[1, "Trường THPT Xuân Lộc", "Hoàn thành tốt nhiệm vụ"], [2, "to toan", "HTXSNV"], [3, "TỔ VĂN", "htnv"]]


# --- the import ------------------------------------------------------------------------------

def test_collective_results_import_diacritic_insensitively_and_the_same_file_twice_changes_nothing(
        tree, year, catalogue, teams, tmp_path):
    out = run(book(GOOD), tmp_path)
    assert "Tập thể: 3; thêm 3, sửa 0, xóa 0, không đổi 0." in out
    assert results(tree["x"]) == {"unit": ("HTTNV", "import"), "Tổ Toán": ("HTXSNV", "import"),
                                  "Tổ Văn": ("HTNV", "import")}
    history_rows = CollectiveRecord.history.count()
    stamps = list(CollectiveRecord.objects.order_by("pk").values_list("pk", "updated_at"))
    assert history_rows == 3
    again = run(book(GOOD), tmp_path)
    assert "thêm 0, sửa 0, xóa 0, không đổi 3" in again and "Không có thay đổi nào" in again
    assert list(CollectiveRecord.objects.order_by("pk").values_list("pk", "updated_at")) == stamps
    assert CollectiveRecord.history.count() == history_rows


def test_a_changed_or_blank_rating_updates_or_removes_and_a_collective_left_out_keeps_its_result(
        tree, year, catalogue, teams, tmp_path):
    run(book(GOOD), tmp_path)
    out = run(book([[1, "Đơn vị", "HTXSNV"], [2, "Tổ Toán", ""]]), tmp_path)
    assert "thêm 0, sửa 1, xóa 1, không đổi 0" in out
    assert results(tree["x"]) == {"unit": ("HTXSNV", "import"), "Tổ Văn": ("HTNV", "import")}


BAD = [
    ([[1, "Tổ Hóa", "HTTNV"]], 3, "Tên tập thể", "“Tổ Hóa” không phải là đơn vị hay một tổ của đơn vị trong năm học 2020-2021"),
    ([[1, "Tổ Toán", "Giỏi"]], 3, "Xếp loại", "không nhận ra xếp loại “Giỏi”"),
    ([[1, "Tổ Toán", "HTTNV"], [2, "tổ toán", "HTNV"]], 4, "Tên tập thể", "tập thể này đã có ở dòng 4"),
    ([[1, None, "HTTNV"]], 3, "Tên tập thể", "thiếu tên tập thể"),
]


@pytest.mark.parametrize("rows, where, column, what", BAD)
def test_bad_collective_rows_are_named_by_sheet_row_and_column_and_nothing_is_saved(
        tree, year, catalogue, teams, staff_x, tmp_path, rows, where, column, what):
    # A good people's table in the same file is not saved either: all or nothing.
    person = staff_x[0]
    data = book(GOOD[:1] + rows, people=[[1, person.full_name, person.date_of_birth.strftime("%d/%m/%Y"), "HTTNV"]])
    plan = plan_history(data, unit=tree["x"], school_year=year, user=None)
    assert f"Trang tính “Tập thể”, dòng {where + 1}, cột “{column}”: {what}" in [str(e) for e in plan.errors][0]
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        run(data, tmp_path)
    assert not CollectiveRecord.objects.exists() and not AnnualRecord.objects.exists()


def test_a_collectives_table_without_its_rating_column_is_refused(tree, year, catalogue, teams):
    plan = plan_history(book([[1, "Tổ Toán"]], header=["STT", "Tên tập thể", "Ghi chú"]), unit=tree["x"],
                        school_year=year, user=None)
    assert [str(e) for e in plan.errors] == ["Trang tính “Tập thể”, dòng 2, cột “Xếp loại”: thiếu cột bắt buộc "
                                             "“Xếp loại” ở dòng tiêu đề."]


def test_another_units_team_is_not_one_of_this_units(tree, year, catalogue, teams):
    StaffFactory(unit=tree["a1"], full_name="Lê Văn Tư", gender="M", team="Tổ Năm")
    plan = plan_history(book([[1, "Tổ Năm", "HTTNV"]]), unit=tree["x"], school_year=year, user=None)
    assert "không phải là đơn vị hay một tổ của đơn vị" in str(plan.errors[0])


def test_upload_preview_shows_the_collectives_then_confirm_and_the_page_lists_them(
        tree, year, catalogue, teams, staff_x, officer_x, login, client):
    login(officer_x)
    person = staff_x[0]
    data = book(GOOD, people=[[1, person.full_name, person.date_of_birth.strftime("%d/%m/%Y"), "HTTNV"]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("history_upload", args=[tree["x"].pk, year.code]),
                           {"file": SimpleUploadedFile("ls.xlsx", data)})
    page = client.get(response.url).content.decode()
    assert 'id="collective-diffs"' in page and "thêm 3, sửa 0, xóa 0, không đổi 0" in page
    assert "Tổ Toán" in page and "Hoàn thành xuất sắc nhiệm vụ" in page
    assert not CollectiveRecord.objects.exists()
    client.post(response.url, {"confirm": "1"})
    assert ImportBatch.objects.get().summary["applied_changes"] == 4  # one person, three collectives
    assert AnnualRecord.objects.count() == 1 and CollectiveRecord.objects.count() == 3
    shown = client.get(reverse("history_page", args=[tree["x"].pk, year.code])).content.decode()
    table = shown[shown.index('id="collective-table"'):]
    assert "Trường THPT Xuân Lộc" in table and "HTXSNV" in table and "nhập từ tệp Excel lịch sử thi đua" in table


def test_the_template_has_the_collectives_sheet_prefilled_and_round_trips(
        tree, year, catalogue, teams, officer_x, login, client, tmp_path):
    run(book(GOOD[:2]), tmp_path)
    login(officer_x)
    response = client.get(reverse("history_template", args=[tree["x"].pk, year.code]))
    ws = load_workbook(io.BytesIO(response.content))["Tập thể"]
    assert [c.value for c in ws[7]] == ["STT", "Tên tập thể", "Xếp loại"]
    assert [[c.value for c in r] for r in ws.iter_rows(min_row=8, max_row=10)] == [
        [1, "Trường THPT Xuân Lộc", "Hoàn thành tốt nhiệm vụ"], [2, "Tổ Toán", "Hoàn thành xuất sắc nhiệm vụ"],
        [3, "Tổ Văn", None]]
    out = run(response.content, tmp_path)
    assert "thêm 0, sửa 0, xóa 0, không đổi 3" in out and "Không có thay đổi nào" in out


def test_one_result_per_collective_and_year_also_for_the_unit_itself(tree, year, teams):
    CollectiveRecord.objects.create(unit=tree["x"], school_year=year, rating="HTTNV")
    CollectiveRecord.objects.create(unit=tree["x"], collective=teams["Tổ Toán"], school_year=year, rating="HTTNV")
    for collective in (None, teams["Tổ Toán"]):
        with pytest.raises(IntegrityError), transaction.atomic():
            CollectiveRecord.objects.create(unit=tree["x"], collective=collective, school_year=year, rating="HTNV")


# --- the verdicts read it ----------------------------------------------------------------------

def register(tree, year, officer, staff_x, teams, title="TTLDTT"):
    # Tổ Toán: 4 of 6 registered LĐTT (> 50%, < 70%); one of them CSTĐCS.
    codes = ["CSTDCS"] + ["LDTT"] * 3 + [""] * 2 + ["LDTT"] * 5 + [""]
    entries = [services.staff_entry(p, c) for p, c in zip(staff_x, codes, strict=True) if c]
    entries += [Entry(Subject.UNIT, None, title), Entry(Subject.COLLECTIVE, teams["Tổ Toán"].pk, "TTLDTT")]
    services.dossier_save(unit=tree["x"], school_year=year, user=officer, base_version=None, entries=entries)
    dossier = RegistrationDossier.objects.get(unit=tree["x"], school_year=year)
    registrations = list(dossier.registrations.select_related("title", "staff", "collective"))
    return registrations


def verdict_of(registrations, year, unit, subject):
    found = verdicts_for(registrations, year, unit=unit)
    return next(found[r.pk].verdict for r in registrations if r.subject == subject)


def rate_members(staff_x, year, rating="HTTNV"):
    AnnualRecord.objects.bulk_create([AnnualRecord(staff=p, school_year=year, rating=rating) for p in staff_x])


def test_nothing_recorded_stays_missing_with_a_sentence_saying_so(tree, year, catalogue, officer_x, staff_x, teams):
    registrations = register(tree, year, officer_x, staff_x, teams)
    reason = verdict_of(registrations, year, tree["x"], Subject.COLLECTIVE).reason("tasks_completed")
    assert reason.status == "missing"
    assert "chưa ghi nhận kết quả đánh giá, xếp loại của tập thể cho năm học 2020-2021" in reason.message


@pytest.mark.parametrize("rating, status, verdict, words", [
    ("HTTNV", "passed", "eligible", "Tập thể hoàn thành tốt nhiệm vụ, kế hoạch năm học 2020-2021 "
                                    "(xếp loại của tập thể: Hoàn thành tốt nhiệm vụ, nguồn: nhập từ tệp Excel"),
    ("HTXSNV", "passed", "eligible", "xếp loại của tập thể: Hoàn thành xuất sắc nhiệm vụ"),
    ("HTNV", "failed", "ineligible", "Tập thể chưa hoàn thành tốt nhiệm vụ, kế hoạch năm học 2020-2021 "
                                     "(xếp loại của tập thể: Hoàn thành nhiệm vụ, nguồn: nhập từ tệp Excel"),
])
def test_a_ttldtt_verdict_passes_or_fails_by_the_teams_recorded_result(
        tree, year, catalogue, officer_x, staff_x, teams, tmp_path, rating, status, verdict, words):
    registrations = register(tree, year, officer_x, staff_x, teams)
    rate_members(staff_x, year)
    run(book([[1, "Tổ Toán", rating]]), tmp_path)
    v = verdict_of(registrations, year, tree["x"], Subject.COLLECTIVE)
    reason = v.reason("tasks_completed")
    assert (reason.status, v.status) == (status, verdict)
    assert words in reason.message


@pytest.mark.parametrize("rating, status", [("HTTNV", "failed"), ("HTXSNV", "passed")])
def test_a_ttldxs_verdict_needs_the_unit_to_have_completed_its_tasks_excellently(
        tree, year, catalogue, officer_x, staff_x, teams, rating, status):
    registrations = register(tree, year, officer_x, staff_x, teams, title="TTLDXS")
    CollectiveRecord.objects.create(unit=tree["x"], school_year=year, rating=rating, source="demo")
    reason = verdict_of(registrations, year, tree["x"], Subject.UNIT).reason("tasks_completed")
    assert reason.status == status and "nguồn: dữ liệu mẫu" in reason.message
    assert ("chưa hoàn thành xuất sắc" in reason.message) == (status == "failed")


def test_a_2023_ttldxs_reads_the_record_as_the_collectives_rating():
    rule = rules_from_yaml()[("2023", "TTLDXS")]
    members = [engine.MemberFacts(rating="HTXSNV", titles={"LDTT", "CSTDCS"})] * 10
    for rating, status in (("HTXSNV", "passed"), ("HTTNV", "failed")):
        v = engine.evaluate_collective(rule, members, 2024, collective_rating=rating, result_note="nguồn: thử")
        assert v.reason("collective_rating").status == status and "(nguồn: thử)" in v.reason("collective_rating").message


def test_the_collectives_results_cost_one_query_whatever_the_number_of_teams(tree, year, catalogue, officer_x):
    from awards.verdicts import rules

    def measure(team_count):
        for i in range(team_count):
            StaffFactory(unit=tree["x"], full_name=f"Hồ Văn {letters(team_count * 10 + i)}", gender="M",
                         team=f"Tổ {letters(team_count * 10 + i)}")
        collectives = list(Collective.objects.filter(unit=tree["x"]))
        for c in collectives:
            CollectiveRecord.objects.get_or_create(unit=tree["x"], collective=c, school_year=year,
                                                   defaults={"rating": "HTTNV"})
        dossier = RegistrationDossier.objects.filter(unit=tree["x"]).first()
        services.dossier_save(unit=tree["x"], school_year=year, user=officer_x,
                              base_version=dossier.version if dossier else None,
                              entries=[Entry(Subject.COLLECTIVE, c.pk, "TTLDTT") for c in collectives])
        registrations = list(Registration.objects.filter(dossier__unit=tree["x"]).select_related(
            "title", "staff", "collective", "recorded_verdict"))
        rules()  # warm the catalogue cache
        with CaptureQueriesContext(connection) as queries:
            found = verdicts_for(registrations, year, unit=tree["x"])
        assert len(found) == len(collectives)
        assert all(v.verdict.reason("tasks_completed").status == "passed" for v in found.values())
        return len(queries)

    assert measure(1) == measure(4)
