"""One set of numbers: screens, per-unit rows, district and scope totals and every export agree."""

import csv
import io
import random

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from registrations import services
from registrations.models import RegistrationDossier
from registrations.services import Action, Entry
from reports import selectors
from reports.exporters import REGISTRY
from tests.factories import StaffFactory, UnitFactory, letters, school_year
from units import services as unit_services
from units.models import Role

LADDER = ["LDTT", "CSTDCS", "CSTD_TINH", "CSTDTQ"]


def register(unit, year, user, codes):
    people = [StaffFactory(unit=unit, full_name=f"Võ Thị {letters(random.randrange(10**6))}") for _ in codes]
    services.dossier_save(unit=unit, school_year=year, user=user, base_version=None,
                          entries=[services.staff_entry(p, c) for p, c in zip(people, codes, strict=True)])
    return RegistrationDossier.objects.get(unit=unit, school_year=year)


@pytest.fixture
def registered(tree, year, catalogue, make_user):
    """Known counts: a1 (under Phòng A) 2 LĐTT + 1 CSTĐCS, accepted; x (under the Sở) 1 CSTĐ tỉnh, submitted."""
    officer_a1 = make_user("a1", Role.SCHOOL_OFFICER)
    officer_x = make_user("x", Role.SCHOOL_OFFICER)
    d = register(tree["a1"], year, officer_a1, ["LDTT", "LDTT", "CSTDCS"])
    services.dossier_save(unit=tree["a1"], school_year=year, user=officer_a1, base_version=None,
                          entries=[Entry("unit", None, "TTLDXS")])
    for action, user in ((Action.SUBMIT, officer_a1), (Action.FORWARD, make_user("pgd_a", Role.DISTRICT_REVIEWER)),
                         (Action.ACCEPT, make_user("sgd", Role.DEPARTMENT_REVIEWER))):
        # 1 CSTĐCS among 3 LĐTT is over the 15% quota: the Sở accepts with a reason.
        services.dossier_transition(d, action=action, user=user, override_reason="Đơn vị nhỏ, chấp thuận")
    x = register(tree["x"], year, officer_x, ["CSTD_TINH"])
    services.dossier_transition(x, action=Action.SUBMIT, user=officer_x)


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects with their compressed streams inflated (font names live in object streams)."""
    import re
    import zlib

    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            pass
    return b"".join(parts)


def row(summary, code):
    return next(r for r in summary.units if r.code == code)


def test_counts_are_cumulative_along_the_ladders(tree, year, registered):
    s = selectors.summary(tree["sgd"], year)
    a1 = row(s, "TH-A-1").counts
    assert (a1["registered"]["LDTT"], a1["registered"]["CSTDCS"], a1["registered"]["CSTD_TINH"]) == (3, 1, 0)
    assert (a1["registered"]["TTLDTT"], a1["registered"]["TTLDXS"]) == (1, 1)  # TTLĐXS counts as TTLĐTT too
    x = row(s, "THPT-X").counts
    assert (x["registered"]["LDTT"], x["registered"]["CSTDCS"], x["registered"]["CSTD_TINH"]) == (1, 1, 1)
    # Only the Sở's acceptance counts as accepted.
    assert a1["accepted"]["LDTT"] == 3 and x["accepted"]["LDTT"] == 0


def assert_rows_add_up(s):
    for measure in ("registered", "accepted"):
        for t in s.titles:
            per_unit = sum(r.counts[measure][t.code] for r in s.units)
            per_district = sum(d.counts[measure][t.code] for d in s.districts)
            assert per_unit == per_district == s.total.counts[measure][t.code], (measure, t.code)


def test_units_districts_and_total_agree(tree, year, registered):
    s = selectors.summary(tree["sgd"], year)
    assert_rows_add_up(s)
    assert {d.name for d in s.districts} == {"Phòng GD&ĐT huyện A", "Phòng GD&ĐT huyện B", "Đơn vị trực thuộc Sở"}


def test_units_districts_and_total_agree_on_random_data(tree, year, catalogue, make_user):
    rng = random.Random(7)
    for i in range(12):
        parent = tree[rng.choice(["pgd_a", "pgd_b", "sgd"])]
        unit = UnitFactory(code=f"TH-R-{i}", name=f"Trường Tiểu học Ngẫu {letters(i)}", level="TH", parent=parent)
        officer = make_user("a1", Role.SCHOOL_OFFICER)
        officer.unit = unit
        officer.save()
        d = register(unit, year, officer, [rng.choice(LADDER) for _ in range(rng.randint(1, 6))])
        if rng.random() < 0.5:
            RegistrationDossier.objects.filter(pk=d.pk).update(status=RegistrationDossier.Status.ACCEPTED)
    s = selectors.summary(tree["sgd"], year)
    assert_rows_add_up(s)
    # And a Phòng's own report equals its line in the province report.
    phong = selectors.summary(tree["pgd_a"], year)
    line = next(d for d in s.districts if d.name == "Phòng GD&ĐT huyện A")
    assert phong.total.counts == line.counts


def test_a_school_that_moved_later_counts_where_it_was(tree, year, registered):
    unit_services.unit_change(tree["a1"], from_year=2025, parent=tree["pgd_b"])
    s = selectors.summary(tree["sgd"], year)
    assert row(s, "TH-A-1").district == "Phòng GD&ĐT huyện A"
    assert row(selectors.summary(tree["pgd_a"], year), "TH-A-1").counts["registered"]["LDTT"] == 3


def test_summary_query_count_does_not_grow(tree, year, registered, django_assert_max_num_queries):
    for i in range(20):
        UnitFactory(code=f"MG-Q-{i}", name=f"Trường Mẫu giáo Q {letters(i)}", level="MG", parent=tree["pgd_b"])
    # the tree (stamp, versions, units), dossiers, one aggregation, titles (regime + titles)
    with django_assert_max_num_queries(7):
        selectors.summary(tree["sgd"], year)
    for i in range(20, 40):
        UnitFactory(code=f"MG-Q-{i}", name=f"Trường Mẫu giáo Q {letters(i)}", level="MG", parent=tree["pgd_b"])
    with django_assert_max_num_queries(7):
        selectors.summary(tree["sgd"], year)
    with django_assert_max_num_queries(5):  # the unchanged tree comes from the cache
        selectors.summary(tree["sgd"], year)


def test_the_screen_and_every_export_show_the_same_numbers(tree, year, registered, dept_admin, login):
    client = login(dept_admin)
    page = client.get(reverse("report_summary"))
    screen = {r.code: r.counts["registered"] for r in page.context["summary"].units}
    codes = [t.code for t in page.context["summary"].titles]

    ws = load_workbook(io.BytesIO(client.get(reverse("report_export", args=["summary"]), {"format": "xlsx"}).content)).active
    assert ws["A1"].value and ws["A5"].value == "TỔNG HỢP ĐĂNG KÝ DANH HIỆU THI ĐUA (ĐĂNG KÝ)"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in [c.value for c in ws[1]]
    xlsx = {}
    for r in range(9, ws.max_row + 1):
        values = [c.value for c in ws[r]]
        if values[1] == "Tổng cộng":
            xlsx_total = dict(zip(codes, values[3:], strict=True))
        else:
            xlsx[values[0]] = dict(zip(codes, values[3:], strict=True))
    assert xlsx == screen
    assert xlsx_total == {c: sum(u[c] for u in screen.values()) for c in codes}
    assert ws.freeze_panes == "A9" and ws.print_title_rows == "$8:$8"

    raw = client.get(reverse("report_export", args=["summary"]), {"format": "csv"}).content
    assert raw.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0] == ["code", "unit", "district", *codes]
    from_csv = {line[0]: {c: int(v) for c, v in zip(codes, line[3:], strict=True)} for line in lines[1:-1]}
    assert from_csv == screen

    pdf = client.get(reverse("report_export", args=["summary"]), {"format": "pdf"}).content
    # The project's Times-compatible font (Liberation Serif, declared as "Times VN") is embedded.
    objects = pdf_objects(pdf)
    assert pdf.startswith(b"%PDF") and b"+Times-VN" in objects and b"/FontFile2" in objects


def test_registrations_export_has_times_and_status(tree, year, registered, dept_admin, login):
    ws = load_workbook(io.BytesIO(login(dept_admin).get(reverse("report_export", args=["registrations"]),
                                                        {"format": "xlsx"}).content)).active
    header = [c.value for c in ws[8]]
    assert header == ["STT", "Đơn vị", "Cá nhân / tập thể", "Danh hiệu", "Đăng ký lúc", "Nộp lúc", "Trạng thái hồ sơ"]
    body = [[c.value for c in ws[r]] for r in range(9, ws.max_row)]
    assert len(body) == 5  # 3 people + the unit of a1, 1 person of x
    assert all(r[4] and r[5] for r in body)
    assert {r[6] for r in body} == {"Sở đã duyệt", "Đã nộp"}


def test_export_report_command_writes_each_kind(tree, year, registered, tmp_path):
    for kind in REGISTRY:
        for fmt in ("xlsx", "csv", "pdf"):
            out = tmp_path / f"{kind}.{fmt}"
            call_command("export_report", kind, "--year", year.code, "--scope", "SGD", "--format", fmt, "-o", str(out),
                         stdout=io.StringIO())
            assert out.stat().st_size > 0
    lines = list(csv.reader(io.StringIO((tmp_path / "completeness.csv").read_text(encoding="utf-8-sig"))))
    assert lines[0][0] == "Mã đơn vị" and any(line[0] == "TH-A-1" and line[5] == "Có" for line in lines)


def test_pdf_of_a_very_long_list_is_refused_with_a_message(tree, year, registered, settings, dept_admin, login):
    settings.PDF_MAX_ROWS = 2
    response = login(dept_admin).get(reverse("report_export", args=["registrations"]), {"format": "pdf"}, follow=True)
    assert "quá dài để in PDF" in response.content.decode()


def test_reports_are_scoped(tree, year, registered, officer_a1, login):
    client = login(officer_a1)
    s = client.get(reverse("report_summary")).context["summary"]
    assert [r.code for r in s.units] == ["TH-A-1"]
    for name in ("report_summary", "report_comparison", "report_registrations"):
        assert client.get(reverse(name), {"unit": tree["x"].pk}).status_code == 404
    assert client.get(reverse("report_export", args=["summary"]), {"unit": tree["sgd"].pk}).status_code == 404


def test_csv_neutralises_formula_like_text(tree, year, catalogue, officer_a1):
    from reports.exporters import Table, write_csv

    data = write_csv(Table("t", ["a"], [["=1+1"], ["@x"], ["ok"]]), scope=tree["a1"], school_year=year)
    assert data.decode("utf-8-sig").splitlines()[1:] == ["'=1+1", "'@x", "ok"]


def test_the_accepted_view_and_its_export_agree(tree, year, registered, dept_admin, login):
    client = login(dept_admin)
    screen = {r.code: r.counts["accepted"] for r in
              client.get(reverse("report_summary"), {"measure": "accepted"}).context["summary"].units}
    raw = client.get(reverse("report_export", args=["summary"]), {"format": "csv", "measure": "accepted"}).content
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    codes = lines[0][3:]
    assert {line[0]: {c: int(v) for c, v in zip(codes, line[3:], strict=True)} for line in lines[1:-1]} == screen
    assert screen["THPT-X"]["LDTT"] == 0 and screen["TH-A-1"]["LDTT"] == 3


def test_xlsx_form_layout_survives_the_streaming_writer(tree, year):
    """write-only mode must keep what officers print: merged title, A4 landscape, borders, widths,
    and formula-like text kept as text with Excel's hidden apostrophe."""
    from reports.exporters import Table, write_xlsx

    table = Table("Danh sách thử", ["STT", "Họ và tên", "Ghi chú", "Danh hiệu"],
                  [[1, "Nguyễn Văn A", "=1+1", "Lao động tiên tiến"], [2, "Trần Thị B", "", "Chiến sĩ thi đua cơ sở"]],
                  ["", "Tổng cộng", "2 đăng ký", ""])
    ws = load_workbook(io.BytesIO(write_xlsx(table, scope=tree["sgd"], school_year=year))).active
    assert "A5:D5" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert [c.value for c in ws[8]] == table.header and ws["A8"].font.bold
    formula = ws["C9"]
    assert formula.value == "=1+1" and formula.data_type == "s" and formula.quotePrefix
    assert not ws["B9"].quotePrefix and ws["B9"].border.left.style == "thin"
    assert ws["B11"].value == "Tổng cộng" and ws["B11"].font.bold
    assert ws.column_dimensions["D"].width == len("Chiến sĩ thi đua cơ sở") + 2


def test_the_same_year_in_the_link_does_not_write_the_session_again(tree, year, dept_admin, login):
    """Every link carries ?year=; writing the session on each page would be one more write per page."""
    client = login(dept_admin)
    other = school_year("2019-2020")
    first = client.get(reverse("report_summary"), {"year": other.code})
    assert first.context["summary"].school_year == other and "sessionid" in first.cookies
    again = client.get(reverse("report_summary"), {"year": other.code})
    assert again.context["summary"].school_year == other and "sessionid" not in again.cookies
    back = client.get(reverse("report_summary"), {"year": year.code})
    assert back.context["summary"].school_year == year and "sessionid" in back.cookies


@pytest.mark.parametrize("measure", ["registered", "accepted"])
def test_the_summary_page_prints_the_selectors_numbers(tree, year, registered, dept_admin, login, measure):
    """The page's cells, read back from the HTML, are the selector's counts for the measure shown."""
    import re

    client = login(dept_admin)
    body = client.get(reverse("report_summary"), {"measure": measure}).content.decode()
    s = selectors.summary(tree["sgd"], year)
    table = body[body.index('id="units"'):]
    rows = re.findall(r"<tr><td><code>([^<]+)</code>.*?</tr>", table, flags=re.S)
    assert rows == [r.code for r in s.units]
    for r in s.units:
        row = re.search(rf"<code>{re.escape(r.code)}</code>(.*?)</tr>", table, flags=re.S).group(1)
        assert [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)] == [r.counts[measure][t.code] for t in s.titles]
    total = re.search(r"<tfoot>(.*?)</tfoot>", table, flags=re.S).group(1)
    assert [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', total)] == [s.total.counts[measure][t.code] for t in s.titles]
    assert sum(s.total.counts[measure].values()) > 0
