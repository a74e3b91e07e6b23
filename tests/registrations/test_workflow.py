"""The dossier workflow: an explicit table of transitions, each allowed to one role in scope."""

import datetime

import pytest
from django.utils import timezone

from registrations import services
from registrations.models import DossierEvent, RegistrationDossier
from registrations.services import Action, DossierError

Status = RegistrationDossier.Status


@pytest.fixture
def dossier_a1(tree, year, catalogue, officer_a1, people):
    services.dossier_save(
        unit=tree["a1"], school_year=year, user=officer_a1, base_version=None,
        entries=[services.staff_entry(people["a1"][0], "LDTT")],
    )
    return RegistrationDossier.objects.get(unit=tree["a1"], school_year=year)


@pytest.fixture
def dossier_x(tree, year, catalogue, officer_x, people):
    services.dossier_save(
        unit=tree["x"], school_year=year, user=officer_x, base_version=None,
        entries=[services.staff_entry(people["x"][0], "CSTDCS")],
    )
    return RegistrationDossier.objects.get(unit=tree["x"], school_year=year)


def go(dossier, action, user, comment=""):
    return services.dossier_transition(dossier, action=action, user=user, comment=comment)


def test_school_under_a_phong_goes_submit_forward_accept(dossier_a1, officer_a1, reviewer_a, dept_reviewer):
    assert go(dossier_a1, Action.SUBMIT, officer_a1).status == Status.SUBMITTED
    with pytest.raises(DossierError):  # the Sở may not skip the Phòng
        go(dossier_a1, Action.ACCEPT, dept_reviewer)
    assert go(dossier_a1, Action.FORWARD, reviewer_a).status == Status.FORWARDED
    accepted = go(dossier_a1, Action.ACCEPT, dept_reviewer)
    assert accepted.status == Status.ACCEPTED
    assert accepted.submitted_at and accepted.forwarded_at and accepted.accepted_at
    actions = list(accepted.events.values_list("action", "actor__username"))
    assert actions == [
        (Action.CREATE, "officer.a1"), (Action.SAVE, "officer.a1"), (Action.SUBMIT, "officer.a1"),
        (Action.FORWARD, "reviewer.a"), (Action.ACCEPT, "reviewer.so"),
    ]


def test_school_directly_under_the_so_goes_straight_there(dossier_x, officer_x, dept_reviewer, reviewer_a):
    go(dossier_x, Action.SUBMIT, officer_x)
    with pytest.raises(DossierError):
        go(dossier_x, Action.FORWARD, reviewer_a)
    # One CSTĐCS over zero LĐTT is above the 15% quota: the Sở accepts with a reason.
    accepted = services.dossier_transition(dossier_x, action=Action.ACCEPT, user=dept_reviewer,
                                           override_reason="Đơn vị mới, chấp thuận")
    assert accepted.status == Status.ACCEPTED


def test_the_so_cannot_accept_over_quota_or_ineligible_without_a_reason(dossier_x, officer_x, dept_reviewer, year,
                                                                        tree, people, login):
    from django.urls import reverse

    from awards.models import RegistrationOverride

    go(dossier_x, Action.SUBMIT, officer_x)
    with pytest.raises(services.DossierBlocked) as exc:
        go(dossier_x, Action.ACCEPT, dept_reviewer)
    assert [q.code for q in exc.value.quotas] == ["CSTDCS"]
    blocked_people = len(exc.value.ineligible)
    assert RegistrationDossier.objects.get(pk=dossier_x.pk).status == Status.SUBMITTED
    # The confirmation page lists the problems and asks for a reason; with it the Sở accepts.
    url = reverse("dossier_action", kwargs={"unit_pk": tree["x"].pk, "year": year.code, "action": "accept"})
    client = login(dept_reviewer)
    page = client.get(url)
    assert "cần ghi rõ lý do nếu vẫn duyệt" in page.content.decode()
    version = RegistrationDossier.objects.get(pk=dossier_x.pk).version
    # Posted without a reason: refused, and the field says why (not the same page again, unexplained).
    blank = client.post(url, {"version": version, "comment": "", "override_reason": "   "}).content.decode()
    assert "Hãy ghi lý do vẫn duyệt" in blank and "is-invalid" in blank
    assert RegistrationDossier.objects.get(pk=dossier_x.pk).status == Status.SUBMITTED
    client.post(url, {"version": version, "comment": "", "override_reason": "Tỷ lệ được Sở chấp thuận riêng"})
    assert RegistrationDossier.objects.get(pk=dossier_x.pk).status == Status.ACCEPTED
    event = dossier_x.events.get(action=Action.OVERRIDE)
    assert event.actor == dept_reviewer and event.comment == "Tỷ lệ được Sở chấp thuận riêng"
    # One override per ineligible registration, kept with the reason.
    assert RegistrationOverride.objects.count() == blocked_people


def test_an_ineligible_registration_is_overridden_with_a_kept_reason(tree, year, catalogue, people, officer_x,
                                                                     dept_reviewer, login):
    from django.urls import reverse

    from awards.models import RegistrationOverride

    # CSTĐ cấp tỉnh needs three consecutive CSTĐCS years; nothing is recorded for this person.
    services.dossier_save(unit=tree["x"], school_year=year, user=officer_x, base_version=None,
                          entries=[services.staff_entry(people["x"][0], "CSTD_TINH")])
    dossier = RegistrationDossier.objects.get(unit=tree["x"])
    go(dossier, Action.SUBMIT, officer_x)
    with pytest.raises(services.DossierBlocked) as exc:
        go(dossier, Action.ACCEPT, dept_reviewer)
    assert [v.registration.staff for v in exc.value.ineligible] == [people["x"][0]]
    services.dossier_transition(dossier, action=Action.ACCEPT, user=dept_reviewer, override_reason="Hội đồng xét đặc cách")
    override = RegistrationOverride.objects.get()
    assert override.reason == "Hội đồng xét đặc cách" and override.verdict["status"] == "ineligible"
    # Every later view of the registration shows the override.
    body = login(dept_reviewer).get(reverse("dossier_page", kwargs={"unit_pk": tree["x"].pk, "year": year.code}))
    assert "Hội đồng xét đặc cách" in body.content.decode()


@pytest.mark.parametrize("who", ["reviewer_b", "viewer", "dept_admin", "officer_x"])
def test_forwarding_is_only_for_the_phong_above(dossier_a1, officer_a1, who, request, make_user):
    go(dossier_a1, Action.SUBMIT, officer_a1)
    user = make_user("a1", "viewer") if who == "viewer" else request.getfixturevalue(who)
    with pytest.raises(DossierError, match="không có quyền"):
        go(dossier_a1, Action.FORWARD, user)
    dossier_a1.refresh_from_db()
    assert dossier_a1.status == Status.SUBMITTED


def test_only_the_units_own_accounts_submit(dossier_a1, reviewer_a, dept_reviewer, make_user, head_a1):
    for user in (reviewer_a, dept_reviewer, make_user("a1", "viewer")):
        with pytest.raises(DossierError):
            go(dossier_a1, Action.SUBMIT, user)
    assert go(dossier_a1, Action.SUBMIT, head_a1).status == Status.SUBMITTED


def test_return_needs_a_reason_and_makes_it_editable_again(dossier_a1, officer_a1, reviewer_a, people, year, tree):
    go(dossier_a1, Action.SUBMIT, officer_a1)
    with pytest.raises(DossierError, match="lý do"):
        go(dossier_a1, Action.RETURN, reviewer_a, comment="  ")
    returned = go(dossier_a1, Action.RETURN, reviewer_a, comment="Thiếu đăng ký tập thể")
    assert returned.status == Status.RETURNED and returned.return_reason == "Thiếu đăng ký tập thể"
    assert returned.is_editable
    services.dossier_save(unit=tree["a1"], school_year=year, user=officer_a1, base_version=None,
                          entries=[services.staff_entry(people["a1"][1], "LDTT")])
    assert go(returned, Action.SUBMIT, officer_a1).status == Status.SUBMITTED
    event = returned.events.get(action=Action.RETURN)
    assert (event.actor, event.comment, event.from_status, event.to_status) == (
        reviewer_a, "Thiếu đăng ký tập thể", Status.SUBMITTED, Status.RETURNED,
    )


def test_the_so_can_return_a_forwarded_dossier(dossier_a1, officer_a1, reviewer_a, dept_reviewer):
    go(dossier_a1, Action.SUBMIT, officer_a1)
    go(dossier_a1, Action.FORWARD, reviewer_a)
    assert go(dossier_a1, Action.RETURN, dept_reviewer, comment="Sai số liệu").status == Status.RETURNED


def test_a_submitted_dossier_is_read_only_for_the_school(dossier_a1, officer_a1, people, year, tree):
    go(dossier_a1, Action.SUBMIT, officer_a1)
    with pytest.raises(DossierError, match="không thể sửa"):
        services.dossier_save(unit=tree["a1"], school_year=year, user=officer_a1, base_version=None,
                              entries=[services.staff_entry(people["a1"][1], "LDTT")])
    assert dossier_a1.registrations.count() == 1


def test_pressing_submit_twice_makes_one_transition(dossier_a1, officer_a1):
    go(dossier_a1, Action.SUBMIT, officer_a1)
    stale = RegistrationDossier.objects.get(pk=dossier_a1.pk)
    stale.status = Status.DRAFT  # what a second tab still believes
    with pytest.raises(DossierError, match="đang ở trạng thái"):
        go(stale, Action.SUBMIT, officer_a1)
    assert dossier_a1.events.filter(action=Action.SUBMIT).count() == 1


def test_every_allowed_pair_is_in_the_table():
    # The explicit table: any change to it must change this test.
    table = {a: (t.sources, t.target) for a, t in services.TRANSITIONS.items()}
    assert table == {
        Action.SUBMIT: ((Status.DRAFT, Status.RETURNED), Status.SUBMITTED),
        Action.FORWARD: ((Status.SUBMITTED,), Status.FORWARDED),
        Action.ACCEPT: ((Status.SUBMITTED, Status.FORWARDED), Status.ACCEPTED),
        Action.RETURN: ((Status.SUBMITTED, Status.FORWARDED), Status.RETURNED),
    }


@pytest.mark.parametrize("status", [Status.ACCEPTED, Status.DRAFT])
def test_nothing_returns_from_accepted_or_draft(dossier_a1, dept_reviewer, reviewer_a, status):
    RegistrationDossier.objects.filter(pk=dossier_a1.pk).update(status=status)
    dossier_a1.refresh_from_db()
    for user in (dept_reviewer, reviewer_a):
        with pytest.raises(DossierError):
            go(dossier_a1, Action.RETURN, user, comment="x")


def test_late_submission_is_accepted_and_marked(dossier_a1, officer_a1, year):
    after = timezone.make_aware(datetime.datetime.combine(year.registration_deadline + datetime.timedelta(days=1),
                                                          datetime.time(9, 30)))
    dossier = services.dossier_transition(dossier_a1, action=Action.SUBMIT, user=officer_a1, now=after)
    assert dossier.status == Status.SUBMITTED and dossier.is_late and dossier.submitted_at == after


def test_on_time_submission_is_not_late(dossier_a1, officer_a1, year):
    on_deadline = timezone.make_aware(datetime.datetime.combine(year.registration_deadline, datetime.time(23, 0)))
    assert not services.dossier_transition(dossier_a1, action=Action.SUBMIT, user=officer_a1, now=on_deadline).is_late


def test_every_transition_records_who_when_and_comment(dossier_x, officer_x, dept_reviewer):
    go(dossier_x, Action.SUBMIT, officer_x, comment="Kính trình")
    event = DossierEvent.objects.filter(dossier=dossier_x).latest("at")
    assert (event.action, event.actor, event.comment) == (Action.SUBMIT, officer_x, "Kính trình")
    assert event.at is not None and event.version == RegistrationDossier.objects.get(pk=dossier_x.pk).version


def test_a_stale_confirmation_page_cannot_accept_a_changed_dossier(dossier_x, officer_x, dept_reviewer, year, tree, people):
    go(dossier_x, Action.SUBMIT, officer_x)
    seen = RegistrationDossier.objects.get(pk=dossier_x.pk).version
    go(dossier_x, Action.RETURN, dept_reviewer, comment="Xem lại")
    services.dossier_save(unit=tree["x"], school_year=year, user=officer_x, base_version=None,
                          entries=[services.staff_entry(people["x"][0], "CSTD_TINH")])
    go(dossier_x, Action.SUBMIT, officer_x)
    with pytest.raises(DossierError, match="đã thay đổi kể từ khi bạn mở trang xác nhận"):
        services.dossier_transition(dossier_x, action=Action.ACCEPT, user=dept_reviewer, expected_version=seen)
    assert RegistrationDossier.objects.get(pk=dossier_x.pk).status == Status.SUBMITTED


def test_a_closed_year_cannot_be_edited_or_submitted(dossier_a1, officer_a1, year, tree, people):
    year.status = year.Status.CLOSED
    year.save()
    with pytest.raises(DossierError, match="đã kết thúc"):
        services.dossier_save(unit=tree["a1"], school_year=year, user=officer_a1, base_version=None,
                              entries=[services.staff_entry(people["a1"][1], "LDTT")])
    with pytest.raises(DossierError, match="đã kết thúc"):
        go(dossier_a1, Action.SUBMIT, officer_a1)


def test_an_empty_dossier_cannot_be_submitted(tree, year, catalogue, officer_a1):
    dossier = services.dossier_get_or_create(unit=tree["a1"], school_year=year, user=officer_a1)
    with pytest.raises(DossierError, match="chưa có đăng ký nào"):
        go(dossier, Action.SUBMIT, officer_a1)


def test_forbidden_roles_get_403_on_the_web(dossier_a1, officer_a1, make_user, login, year, tree):
    from django.urls import reverse

    go(dossier_a1, Action.SUBMIT, officer_a1)
    viewer = login(make_user("sgd", "viewer"))
    url = reverse("dossier_action", kwargs={"unit_pk": tree["a1"].pk, "year": year.code, "action": "forward"})
    assert viewer.post(url, {"version": "1"}).status_code == 403
    assert RegistrationDossier.objects.get(pk=dossier_a1.pk).status == Status.SUBMITTED


def test_opening_the_submit_page_creates_nothing(tree, year, catalogue, officer_a1, login):
    from django.urls import reverse

    url = reverse("dossier_action", kwargs={"unit_pk": tree["a1"].pk, "year": year.code, "action": "submit"})
    login(officer_a1).get(url)
    assert not RegistrationDossier.objects.exists()


def test_return_without_a_reason_shows_the_form_again(dossier_a1, officer_a1, reviewer_a, login, year, tree):
    from django.urls import reverse

    go(dossier_a1, Action.SUBMIT, officer_a1)
    url = reverse("dossier_action", kwargs={"unit_pk": tree["a1"].pk, "year": year.code, "action": "return"})
    client = login(reviewer_a)
    version = RegistrationDossier.objects.get(pk=dossier_a1.pk).version
    response = client.post(url, {"version": version, "comment": "   "})
    assert response.status_code == 200 and "Vui lòng nhập lý do trả lại hồ sơ." in response.content.decode()
    response = client.post(url, {"version": version, "comment": "x" * 2500})
    assert "Tối đa 2000 ký tự" in response.content.decode() and "x" * 100 in response.content.decode()
    assert RegistrationDossier.objects.get(pk=dossier_a1.pk).status == Status.SUBMITTED


def test_check_eligibility_command_gives_the_same_verdicts_as_the_page(tree, year, catalogue, people, officer_x):
    import csv as csv_module
    import io

    from django.core.management import call_command

    services.dossier_save(unit=tree["x"], school_year=year, user=officer_x, base_version=None,
                          entries=[services.staff_entry(people["x"][0], "CSTD_TINH")])
    out = io.StringIO()
    call_command("check_eligibility", "--year", year.code, "--unit", "THPT-X", "--format", "csv", stdout=out)
    rows = list(csv_module.DictReader(io.StringIO(out.getvalue())))
    assert {r["status"] for r in rows} == {"ineligible"} and all(r["article"] for r in rows)
    text = io.StringIO()
    call_command("check_eligibility", "--year", year.code, "--unit", "THPT-X", stdout=text)
    assert "Phạm Thị Xuân — CSTĐ tỉnh: Chưa đủ điều kiện" in text.getvalue()


@pytest.mark.parametrize("ineligible, quotas, expected", [
    ([1], [], "Có 1 đăng ký chưa đủ điều kiện: cần ghi rõ lý do nếu vẫn duyệt."),
    ([], [1], "Có 1 chỉ tiêu vượt tỷ lệ: cần ghi rõ lý do nếu vẫn duyệt."),
    ([1, 2], [1], "Có 2 đăng ký chưa đủ điều kiện và 1 chỉ tiêu vượt tỷ lệ: cần ghi rõ lý do nếu vẫn duyệt."),
])
def test_the_blocking_message_names_only_what_blocks(ineligible, quotas, expected):
    """THPT Tân An is blocked by its quota alone: "Có 0 đăng ký chưa đủ điều kiện" said nothing."""
    from registrations.services import DossierBlocked

    assert str(DossierBlocked(ineligible, quotas)) == expected


def test_only_an_accepted_dossier_is_judged_as_at_its_acceptance():
    """A dossier accepted, then returned (accepted_at kept as a fact), is judged under today's rules."""
    import datetime as dt

    at = dt.datetime(2020, 10, 24, 9, 0, tzinfo=dt.timezone.utc)
    assert RegistrationDossier(status=Status.ACCEPTED, accepted_at=at).judged_at == at
    assert RegistrationDossier(status=Status.RETURNED, accepted_at=at).judged_at is None
    assert RegistrationDossier(status=Status.SUBMITTED).judged_at is None
