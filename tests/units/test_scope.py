"""Every page is scoped to the user's subtree: other units' ids give 404, read-only roles 403."""

import pytest
from django.urls import reverse

from tests.factories import StaffFactory, letters
from units.models import Role


def test_school_officer_gets_404_for_another_schools_staff(people, officer_a1, login):
    client = login(officer_a1)
    other = people["b1"][0]
    assert client.get(reverse("staff_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("staff_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("staff_edit", args=[other.pk]), {"full_name": "Hack Er"}).status_code == 404
    own = people["a1"][0]
    assert client.get(reverse("staff_detail", args=[own.pk])).status_code == 200


def test_school_officer_gets_404_for_other_units(tree, officer_a1, login):
    client = login(officer_a1)
    for key in ("a2", "b1", "pgd_a", "sgd", "x"):
        assert client.get(reverse("unit_detail", args=[tree[key].pk])).status_code == 404, key
    assert client.get(reverse("unit_detail", args=[tree["a1"].pk])).status_code == 200


def test_staff_list_with_a_foreign_unit_id_is_404(tree, people, officer_a1, login):
    client = login(officer_a1)
    assert client.get(reverse("staff_list"), {"unit": tree["b1"].pk}).status_code == 404


def test_district_reviewer_sees_only_its_district(tree, people, reviewer_a, login):
    client = login(reviewer_a)
    response = client.get(reverse("staff_list"))
    names = [s.full_name for s in response.context["page"]]
    assert sorted(names) == sorted(s.full_name for s in people["a1"])
    units = client.get(reverse("unit_list")).context["page"]
    assert sorted(u.code for u in units) == ["PGD-A", "TH-A-1", "THCS-A-2"]
    assert client.get(reverse("unit_detail", args=[tree["b1"].pk])).status_code == 404
    assert client.get(reverse("unit_detail", args=[tree["x"].pk])).status_code == 404
    assert client.get(reverse("staff_detail", args=[people["x"][0].pk])).status_code == 404


def test_department_sees_everything(tree, people, make_user, login):
    client = login(make_user("sgd", Role.DEPARTMENT_REVIEWER))
    names = {s.full_name for s in client.get(reverse("staff_list")).context["page"]}
    assert names == {s.full_name for group in people.values() for s in group}


def test_viewer_cannot_edit_or_add(people, make_user, login):
    client = login(make_user("a1", Role.VIEWER))
    own = people["a1"][0]
    assert client.get(reverse("staff_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("staff_edit", args=[own.pk])).status_code == 403
    assert client.get(reverse("staff_create")).status_code == 403


def test_district_reviewer_cannot_edit_school_staff(people, reviewer_a, login):
    client = login(reviewer_a)
    assert client.get(reverse("staff_edit", args=[people["a1"][0].pk])).status_code == 403


def test_accounts_pages_are_for_the_department_admin_only(tree, officer_a1, reviewer_a, login, dept_admin):
    for user in (officer_a1, reviewer_a):
        client = login(user)
        for name in ("account_list", "account_create", "units_without_account"):
            assert client.get(reverse(name)).status_code == 403, (user.username, name)
        assert client.get(reverse("account_detail", args=[dept_admin.pk])).status_code == 403


def test_anonymous_is_sent_to_login(client, tree):
    for name in ("home", "unit_list", "staff_list", "account_list"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("rows", [1, 20])
def test_staff_list_queries_do_not_grow_with_rows(tree, year, officer_a1, login, rows, django_assert_max_num_queries):
    for i in range(rows):
        StaffFactory(unit=tree["a1"], full_name=f"Nguyễn Văn {letters(i)}")
    client = login(officer_a1)
    # session, user, unit of the user, school year, years for the switcher, teams, count, page
    with django_assert_max_num_queries(10):
        response = client.get(reverse("staff_list"))
    assert response.context["page"].paginator.count == rows


@pytest.mark.parametrize("rows", [1, 20])
def test_unit_list_queries_do_not_grow_with_rows(tree, year, dept_admin, login, rows, django_assert_max_num_queries):
    from tests.factories import UnitFactory

    for i in range(rows):
        UnitFactory(code=f"MG-A-{i}", name=f"Trường Mẫu giáo Số {i}", level="MG", parent=tree["pgd_a"])
    client = login(dept_admin)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("unit_list"))
    assert response.context["page"].paginator.count == 7 + rows


@pytest.mark.parametrize("schools", [1, 20])
def test_department_home_queries_do_not_grow(tree, year, dept_admin, login, schools, django_assert_max_num_queries):
    from tests.factories import UnitFactory

    for i in range(schools):
        unit = UnitFactory(code=f"MG-B-{i}", name=f"Trường Mẫu giáo B{i}", level="MG", parent=tree["pgd_b"])
        StaffFactory(unit=unit)
    client = login(dept_admin)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("home"))
    rows = {r.unit.code: r for r in response.context["rows"]}
    assert rows["PGD-B"].unit_count == 2 + schools
    assert rows["PGD-B"].staff_count == schools
