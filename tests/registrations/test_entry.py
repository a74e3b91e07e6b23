"""The entry page: saving never loses input and never overwrites silently."""

import pytest
from django.urls import reverse

from registrations import services
from registrations.models import DossierEvent, Registration, RegistrationDossier
from registrations.services import DossierConflict, DossierValidationError, Entry
from tests.factories import StaffFactory, letters
from units.services import _team_for


def page_url(unit, year):
    return reverse("dossier_page", kwargs={"unit_pk": unit.pk, "year": year.code})


def post_rows(version, rows, unit_title=None):
    data = {"version": str(version), "staff_rows": [str(s.pk) for s, _ in rows]}
    for staff, code in rows:
        data[f"t_{staff.pk}"] = code
        data[f"nt_{staff.pk}"] = ""
    if unit_title is not None:
        data["u"] = unit_title
    return data


def test_officer_saves_individual_and_collective_registrations(tree, year, catalogue, people, officer_a1, login):
    client = login(officer_a1)
    a, dao = people["a1"]
    response = client.post(page_url(tree["a1"], year), post_rows(0, [(a, "CSTDCS"), (dao, "LDTT")], unit_title="TTLDTT"))
    assert response.status_code == 302
    regs = {r.subject_name: r.title.code for r in Registration.objects.select_related("title", "staff", "dossier__unit")}
    assert regs == {"Nguyễn Văn A": "CSTDCS", "Trần Thị Đào": "LDTT", "Trường Tiểu học An Phú": "TTLDTT"}
    page = client.get(page_url(tree["a1"], year))
    # Cumulative: the CSTĐCS registrant also counts as LĐTT.
    summary = {t.code: n for t, n in page.context["summary"]}
    assert summary["LDTT"] == 2 and summary["CSTDCS"] == 1 and summary["TTLDTT"] == 1
    assert "Đăng ký lúc" in page.content.decode()


def test_saving_the_same_page_twice_changes_nothing(tree, year, catalogue, people, officer_a1, login):
    client = login(officer_a1)
    a, dao = people["a1"]
    client.post(page_url(tree["a1"], year), post_rows(0, [(a, "LDTT"), (dao, "")]))
    dossier = RegistrationDossier.objects.get()
    client.post(page_url(tree["a1"], year), post_rows(dossier.version, [(a, "LDTT"), (dao, "")]))
    dossier.refresh_from_db()
    assert dossier.registrations.count() == 1
    assert dossier.events.filter(action="save").count() == 1


def test_a_later_save_from_a_stale_page_is_refused_and_shows_the_other_change(
    tree, year, catalogue, people, officer_a1, head_a1, login, client
):
    a, dao = people["a1"]
    services.dossier_save(unit=tree["a1"], school_year=year, user=officer_a1, base_version=None,
                          entries=[services.staff_entry(a, "LDTT")])
    loaded_version = RegistrationDossier.objects.get().version
    # Someone else saves first.
    services.dossier_save(unit=tree["a1"], school_year=year, user=officer_a1, base_version=loaded_version,
                          entries=[services.staff_entry(a, "CSTDCS")])
    # The head's page was loaded before that save.
    client.force_login(head_a1)
    response = client.post(page_url(tree["a1"], year), post_rows(loaded_version, [(a, "LDTT"), (dao, "LDTT")]))
    body = response.content.decode()
    assert response.status_code == 200 and "Chưa lưu" in body
    assert "Nguyễn Văn A LĐTT → CSTĐCS" in body
    # Nothing was overwritten, and what the head typed is still on the page.
    assert Registration.objects.get(staff=a).title.code == "CSTDCS"
    assert not Registration.objects.filter(staff=dao).exists()
    rows = {r.staff.pk: r.code for r in response.context["rows"]}
    assert rows[dao.pk] == "LDTT" and rows[a.pk] == "LDTT"


def test_conflict_is_detected_by_the_service(tree, year, catalogue, people, officer_a1):
    a = people["a1"][0]
    services.dossier_save(unit=tree["a1"], school_year=year, user=officer_a1, base_version=None,
                          entries=[services.staff_entry(a, "LDTT")])
    with pytest.raises(DossierConflict) as exc:
        services.dossier_save(unit=tree["a1"], school_year=year, user=officer_a1, base_version=0,
                              entries=[services.staff_entry(a, "")])
    assert [e.action for e in exc.value.events] == [DossierEvent.Action.SAVE]


def test_collective_title_on_a_person_and_the_reverse_are_refused(tree, year, catalogue, people, officer_a1):
    a = people["a1"][0]
    with pytest.raises(DossierValidationError) as exc:
        services.dossier_save(unit=tree["a1"], school_year=year, user=officer_a1, base_version=None, entries=[
            Entry("staff", a.pk, "TTLDTT", row_label="Dòng 1 (Nguyễn Văn A)"),
            Entry("unit", None, "LDTT", row_label="Dòng Đơn vị"),
        ])
    assert exc.value.errors == [
        "Dòng 1 (Nguyễn Văn A), cột Danh hiệu: “Tập thể lao động tiên tiến” là danh hiệu tập thể, không đăng ký cho cá nhân.",
        "Dòng Đơn vị, cột Danh hiệu: “Lao động tiên tiến” là danh hiệu cá nhân, không đăng ký cho tập thể.",
    ]
    assert Registration.objects.count() == 0


def test_unknown_title_and_foreign_staff_save_nothing(tree, year, catalogue, people, officer_a1, login):
    a = people["a1"][0]
    foreign = people["b1"][0]
    data = post_rows(0, [(a, "LDTT"), (foreign, "LDTT")])
    data[f"t_{a.pk}"] = "LDTT"
    data[f"label_{foreign.pk}"] = "Dòng 2 (Lê Văn Bình)"
    response = login(officer_a1).post(page_url(tree["a1"], year), data)
    assert "Dòng 2 (Lê Văn Bình), cột Họ và tên: người này không thuộc đơn vị" in response.content.decode()
    assert Registration.objects.count() == 0
    with pytest.raises(DossierValidationError, match="không có trong danh mục"):
        services.dossier_save(unit=tree["a1"], school_year=year, user=officer_a1, base_version=None,
                              entries=[services.staff_entry(a, "HUAN_CHUONG_VANG")])


def test_one_registration_per_person_per_year_across_units(tree, year, catalogue, officer_a1, make_user):
    import datetime

    from units import services as unit_services

    person = StaffFactory(unit=tree["a1"], full_name="Đinh Văn Chuyển", start_date=datetime.date(2010, 9, 1))
    services.dossier_save(unit=tree["a1"], school_year=year, user=officer_a1, base_version=None,
                          entries=[services.staff_entry(person, "LDTT")])
    unit_services.staff_transfer(person, to_unit=tree["b1"], on_date=datetime.date(2021, 1, 4))
    officer_b1 = make_user("b1", "school_officer")
    with pytest.raises(DossierValidationError, match="đã được đăng ký ở đơn vị khác"):
        services.dossier_save(unit=tree["b1"], school_year=year, user=officer_b1, base_version=None,
                              entries=[services.staff_entry(person, "LDTT")])
    assert Registration.objects.filter(staff=person).count() == 1


def test_team_registration(tree, year, catalogue, officer_a1):
    team = _team_for(tree["a1"], "Tổ 1")
    services.dossier_save(unit=tree["a1"], school_year=year, user=officer_a1, base_version=None,
                          entries=[Entry("collective", team.pk, "TTLDXS")])
    assert Registration.objects.get(collective=team).title.code == "TTLDXS"


def test_another_units_dossier_is_404(tree, year, catalogue, people, officer_a1, reviewer_b, login):
    client = login(officer_a1)
    for key in ("a2", "b1", "x", "pgd_a"):
        assert client.get(page_url(tree[key], year)).status_code == 404
        assert client.post(page_url(tree[key], year), {"version": "0"}).status_code == 404
        action = reverse("dossier_action", kwargs={"unit_pk": tree[key].pk, "year": year.code, "action": "submit"})
        assert client.post(action).status_code == 404
    # A Phòng sees its own schools, not the other district's.
    client = login(reviewer_b)
    assert client.get(page_url(tree["a1"], year)).status_code == 404
    assert client.get(page_url(tree["b1"], year)).status_code == 200


def test_reviewer_cannot_edit_a_schools_entries(tree, year, catalogue, people, reviewer_a, login):
    a = people["a1"][0]
    response = login(reviewer_a).post(page_url(tree["a1"], year), post_rows(0, [(a, "LDTT")]))
    assert response.status_code == 403
    assert Registration.objects.count() == 0


def test_entries_posted_after_the_session_expired_are_restored_after_login(
    tree, year, catalogue, people, officer_a1, client
):
    from tests.conftest import PASSWORD

    a, dao = people["a1"]
    # Not logged in (the session expired while the officer typed).
    response = client.post(page_url(tree["a1"], year), post_rows(0, [(a, "CSTDCS"), (dao, "LDTT")]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert Registration.objects.count() == 0
    response = client.post(reverse("login") + f"?next={page_url(tree['a1'], year)}",
                           {"username": officer_a1.username, "password": PASSWORD,
                            "next": page_url(tree["a1"], year)})
    assert response.url == page_url(tree["a1"], year)
    response = client.get(response.url, follow=True)
    assert "đã được khôi phục và lưu (2 thay đổi)" in response.content.decode()
    assert {r.staff_id: r.title.code for r in Registration.objects.all()} == {a.pk: "CSTDCS", dao.pk: "LDTT"}
    # Only once.
    client.get(page_url(tree["a1"], year))
    assert RegistrationDossier.objects.get().events.filter(action="save").count() == 1


@pytest.mark.parametrize("rows", [1, 20])
def test_entry_page_queries_do_not_grow(tree, year, catalogue, officer_a1, login, rows, django_assert_max_num_queries):
    people = [StaffFactory(unit=tree["a1"], full_name=f"Phan Văn {letters(i)}") for i in range(rows)]
    services.dossier_save(unit=tree["a1"], school_year=year, user=officer_a1, base_version=None,
                          entries=[services.staff_entry(p, "LDTT") for p in people])
    client = login(officer_a1)
    # session, user, 3 school years (middleware and menu), unit, dossier, registrations, staff, teams,
    # titles (regime + titles), the unit's name that year, timeline, and for the verdicts: regime,
    # ratings, recognised titles, initiatives, overrides, and the regime for the quotas; the
    # catalogue key once per rules() call (verdicts, quotas) and, the first time after the
    # catalogue was loaded, the two queries that build the rules from the database.
    with django_assert_max_num_queries(25):
        response = client.get(page_url(tree["a1"], year))
    assert len(response.context["rows"]) == rows


def test_saving_again_after_a_conflict_keeps_the_other_persons_change(
    tree, year, catalogue, people, officer_a1, head_a1, client
):
    """Both load the page; A sets row 1, B sets row 2. B is refused, then B saves again: both stay."""
    from django.test import Client

    a, dao = people["a1"]
    first = Client()
    first.force_login(officer_a1)
    client.force_login(head_a1)
    page_a = first.get(page_url(tree["a1"], year))
    page_b = client.get(page_url(tree["a1"], year))

    def form_of(response, changes):
        data = {"version": str(response.context["version"]), "staff_rows": []}
        for row in response.context["rows"]:
            sid = row.staff.pk
            data["staff_rows"].append(str(sid))
            stored = row.registration.title.code if row.registration else ""
            data.update({f"t_{sid}": row.code, f"nt_{sid}": row.note, f"ot_{sid}": stored,
                         f"ont_{sid}": row.registration.note if row.registration else ""})
        for staff, code in changes:
            data[f"t_{staff.pk}"] = code
        return data

    assert first.post(page_url(tree["a1"], year), form_of(page_a, [(a, "LDTT")])).status_code == 302
    refused = client.post(page_url(tree["a1"], year), form_of(page_b, [(dao, "CSTDCS")]))
    assert refused.status_code == 200 and refused.context["conflict"]
    rows = {r.staff.pk: r.code for r in refused.context["rows"]}
    assert rows == {a.pk: "LDTT", dao.pk: "CSTDCS"}  # A's change shown, B's typed value kept
    again = client.post(page_url(tree["a1"], year), form_of(refused, []))
    assert again.status_code == 302
    assert {r.staff_id: r.title.code for r in Registration.objects.all()} == {a.pk: "LDTT", dao.pk: "CSTDCS"}


def test_kept_entries_go_back_only_to_the_person_who_typed_them(
    tree, year, catalogue, people, officer_a1, head_a1, client
):
    from tests.conftest import PASSWORD

    a, dao = people["a1"]
    client.force_login(officer_a1)
    client.get(page_url(tree["a1"], year))  # the browser now remembers who used it
    client.cookies.pop("sessionid")  # the session expires (the test client's logout() drops every cookie)
    client.post(page_url(tree["a1"], year), post_rows(0, [(a, "CSTDCS")]))
    # Someone else logs in on the same browser: the kept entries are dropped, not saved as theirs.
    client.post(reverse("login"), {"username": head_a1.username, "password": PASSWORD})
    response = client.get(page_url(tree["a1"], year), follow=True)
    assert "đã được bỏ, không lưu" in response.content.decode()
    assert Registration.objects.count() == 0
