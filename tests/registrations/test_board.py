"""The completeness board: per district counts by status, the lists, Excel, reminders."""

import datetime
import io

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from registrations import services
from registrations.board import build_board
from registrations.models import RegistrationDossier
from registrations.services import Action, Entry
from units import services as unit_services

Status = RegistrationDossier.Status


@pytest.fixture
def progress(tree, year, catalogue, people, officer_a1, officer_x, reviewer_a, make_user):
    """a1: submitted (individual only); x: draft with a collective only; others not started."""
    services.dossier_save(unit=tree["a1"], school_year=year, user=officer_a1, base_version=None,
                          entries=[services.staff_entry(people["a1"][0], "LDTT")])
    services.dossier_transition(RegistrationDossier.objects.get(unit=tree["a1"]), action=Action.SUBMIT, user=officer_a1)
    services.dossier_save(unit=tree["x"], school_year=year, user=officer_x, base_version=None,
                          entries=[Entry("unit", None, "TTLDTT")])


def test_counts_per_district_and_status(tree, year, progress):
    board = build_board(tree["sgd"], year)
    groups = {g.name: g for g in board.groups}
    assert groups["Phòng GD&ĐT huyện A"].counts[Status.SUBMITTED] == 1
    assert groups["Phòng GD&ĐT huyện A"].counts["not_started"] == 2  # the Phòng itself and a2
    assert groups["Đơn vị trực thuộc Sở"].counts[Status.DRAFT] == 1
    # The Sở itself is not on its own board: 6 units, 4 of them not started.
    assert board.totals == {"not_started": 4, "draft": 1, "submitted": 1, "returned": 0, "forwarded": 0, "accepted": 0}
    assert len(board.units) == sum(g.total for g in board.groups) == 6
    assert "SGD" not in {u.unit.code for u in board.units}


def test_lists(tree, year, progress, officer_a1):
    lists = build_board(tree["sgd"], year).lists()
    codes = {k: sorted(u.unit.code for u in v) for k, v in lists.items()}
    assert "TH-A-1" not in codes["no_individual"] and "THPT-X" in codes["no_individual"]
    assert "THPT-X" not in codes["no_collective"] and "TH-A-1" in codes["no_collective"]
    assert "TH-A-1" not in codes["no_account"] and "TH-B-1" in codes["no_account"]
    # Submitted today, long after the 15/10/2020 deadline.
    assert codes["late"] == ["TH-A-1"]


def test_a_phong_sees_only_its_schools(tree, year, progress, reviewer_a, login):
    board = login(reviewer_a).get(reverse("board")).context["board"]
    assert sorted(u.unit.code for u in board.units) == ["PGD-A", "TH-A-1", "THCS-A-2"]


def test_filters(tree, year, progress, dept_reviewer, login):
    client = login(dept_reviewer)
    only_a = client.get(reverse("board"), {"district": tree["pgd_a"].pk}).context["board"]
    assert {u.unit.code for u in only_a.units} == {"PGD-A", "TH-A-1", "THCS-A-2"}
    direct = client.get(reverse("board"), {"district": "direct", "level": "THPT"}).context["board"]
    assert [u.unit.code for u in direct.units] == ["THPT-X"]
    submitted = client.get(reverse("board"), {"status": "submitted"}).context["board"]
    assert [u.unit.code for u in submitted.units] == ["TH-A-1"]


def test_the_board_uses_the_tree_of_that_year(tree, year, progress, dept_reviewer):
    # From 2025 the Phòng is gone and a1 answers to the Sở; 2020-2021 still counts it under Phòng A.
    unit_services.unit_change(tree["a1"], from_year=2025, parent=tree["sgd"])
    board = build_board(tree["sgd"], year)
    row = next(u for u in board.units if u.unit.code == "TH-A-1")
    assert row.district_id == tree["pgd_a"].pk


def test_excel_export_matches_the_list(tree, year, progress, dept_reviewer, login):
    response = login(dept_reviewer).get(reverse("board_export", args=["no_collective"]))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A2"].value == "SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH THỬ"
    assert ws["A5"].value == "ĐƠN VỊ CHƯA CÓ ĐĂNG KÝ TẬP THỂ"
    codes = [ws.cell(row=r, column=2).value for r in range(9, ws.max_row + 1)]
    expected = [u.unit.code for u in build_board(tree["sgd"], year).lists()["no_collective"]]
    assert codes == expected and "THPT-X" not in codes


def test_reminder_mails_the_units_concerned(tree, year, progress, dept_reviewer, login, make_user):
    make_user("b1", "school_officer", email="canbo.b1@thidua.example")
    make_user("a2", "school_officer", email="")
    response = login(dept_reviewer).post(reverse("board_remind"), {"list": "not_submitted"})
    assert response.status_code == 302
    recipients = sorted(addr for m in mail.outbox for addr in m.to)
    assert recipients == ["canbo.b1@thidua.example"]
    assert "Nhắc nhở đăng ký thi đua năm học 2020-2021" in mail.outbox[0].subject


def test_viewer_cannot_send_reminders(tree, year, progress, make_user, login):
    client = login(make_user("sgd", "viewer"))
    assert client.get(reverse("board")).status_code == 200
    assert client.post(reverse("board_remind"), {"list": "late"}).status_code == 403


@pytest.mark.parametrize("extra", [0, 15])
def test_board_queries_do_not_grow(tree, year, progress, dept_reviewer, login, extra, django_assert_max_num_queries):
    from tests.factories import UnitFactory

    for i in range(extra):
        UnitFactory(code=f"MG-B-{i}", name=f"Trường Mẫu giáo B{i}", level="MG", parent=tree["pgd_b"])
    client = login(dept_reviewer)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("board"))
    assert len(response.context["board"].units) == 6 + extra


def test_reminder_follows_the_filters_shown_and_is_kept_on_the_timeline(tree, year, progress, dept_reviewer, login, make_user):
    make_user("b1", "school_officer", email="canbo.b1@thidua.example")
    make_user("x", "school_officer", email="canbo.x@thidua.example")
    client = login(dept_reviewer)
    client.post(reverse("board_remind"), {"list": "not_submitted", "querystring": f"district={tree['pgd_b'].pk}"})
    assert sorted(a for m in mail.outbox for a in m.to) == ["canbo.b1@thidua.example"]
    # THPT X (directly under the Sở, a draft) was not in the filtered list: no mail, no event.
    assert not RegistrationDossier.objects.get(unit=tree["x"]).events.filter(action="remind").exists()
    mail.outbox.clear()
    client.post(reverse("board_remind"), {"list": "not_submitted", "querystring": "district=direct"})
    assert sorted(a for m in mail.outbox for a in m.to) == ["canbo.x@thidua.example"]
    assert RegistrationDossier.objects.get(unit=tree["x"]).events.filter(action="remind").count() == 1


def test_a_school_cannot_send_reminders(tree, year, progress, officer_a1, login):
    assert login(officer_a1).post(reverse("board_remind"), {"list": "late"}).status_code == 403


def test_export_times_are_vietnam_time(tree, year, progress, dept_reviewer, login):
    from django.utils import timezone

    dossier = RegistrationDossier.objects.get(unit=tree["a1"])
    RegistrationDossier.objects.filter(pk=dossier.pk).update(
        submitted_at=timezone.make_aware(datetime.datetime(2020, 10, 15, 23, 30)))  # noqa: DTZ001  # 23:30 in Hồ Chí Minh
    ws = load_workbook(io.BytesIO(login(dept_reviewer).get(reverse("board_export", args=["all"])).content)).active
    times = [ws.cell(row=r, column=6).value for r in range(9, ws.max_row + 1) if ws.cell(row=r, column=2).value == "TH-A-1"]
    assert times == ["15/10/2020 23:30"]
