import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.factories import StaffFactory, school_year
from units import selectors, services
from units.models import Employment, Staff


@pytest.fixture
def named(tree, year):
    names = ["Nguyễn Văn A", "Nguyễn Văn Anh", "Đỗ Đức Đạt", "Trần Thị Ánh", "Lê Văn Dũng"]
    return {n: StaffFactory(unit=tree["a1"], full_name=n) for n in names}


def search(user, query, year):
    return [s.full_name for s in selectors.staff_list(user, school_year=year, query=query)]


@pytest.mark.parametrize("query", ["nguyen van a", "NGUYEN VAN A", "Nguyễn Văn A", "  nguyễn   VĂN a "])
def test_search_ignores_case_and_diacritics(named, officer_a1, year, query):
    assert search(officer_a1, query, year) == ["Nguyễn Văn A"]


def test_d_with_stroke_folds_to_d(named, officer_a1, year):
    assert search(officer_a1, "dat", year) == ["Đỗ Đức Đạt"]
    assert search(officer_a1, "do duc", year) == ["Đỗ Đức Đạt"]


def test_search_is_whole_word(named, officer_a1, year):
    # "anh" finds Anh and Ánh, not "A".
    assert sorted(search(officer_a1, "anh", year)) == ["Nguyễn Văn Anh", "Trần Thị Ánh"]


def test_default_order_is_vietnamese(named, officer_a1, year):
    # By given name (A < Anh < Ánh < Dũng < Đạt), then family, then middle.
    assert search(officer_a1, "", year) == [
        "Nguyễn Văn A", "Nguyễn Văn Anh", "Trần Thị Ánh", "Lê Văn Dũng", "Đỗ Đức Đạt",
    ]


def test_name_parts_are_stored(named):
    staff = named["Trần Thị Ánh"]
    assert (staff.family_name, staff.middle_name, staff.given_name) == ("Trần", "Thị", "Ánh")


def test_transfer_keeps_the_past(tree, year):
    staff = StaffFactory(unit=tree["a1"], full_name="Võ Thị Hạnh", start_date=datetime.date(2015, 9, 1))
    services.staff_transfer(staff, to_unit=tree["b1"], on_date=datetime.date(2021, 1, 1), position="Giáo viên")
    staff.refresh_from_db()
    assert staff.unit == tree["b1"]
    periods = list(Employment.objects.filter(staff=staff).order_by("start_date").values_list("unit__code", "end_date"))
    assert periods == [("TH-A-1", datetime.date(2020, 12, 31)), ("TH-B-1", None)]


def test_a_transfer_before_the_current_start_is_refused(tree):
    staff = StaffFactory(unit=tree["a1"], start_date=datetime.date(2019, 9, 1))
    with pytest.raises(ValidationError):
        services.staff_transfer(staff, to_unit=tree["b1"], on_date=datetime.date(2019, 9, 1))
    assert Employment.objects.filter(staff=staff).count() == 1


def test_staff_list_follows_the_school_year(tree, year, dept_admin):
    later = school_year("2022-2023")
    old = StaffFactory(unit=tree["a1"], full_name="Hồ Văn Cũ", start_date=datetime.date(2000, 9, 1))
    new = StaffFactory(unit=tree["a1"], full_name="Mai Thị Mới", start_date=datetime.date(2022, 9, 5))
    services.staff_transfer(old, to_unit=tree["b1"], on_date=datetime.date(2021, 9, 1))
    in_a1_2020 = selectors.staff_list(dept_admin, unit=tree["a1"], school_year=year)
    in_a1_2022 = selectors.staff_list(dept_admin, unit=tree["a1"], school_year=later)
    assert old not in in_a1_2022 and new in in_a1_2022
    # The 2020-2021 list of a1 still has the person who left in 2021, and not the later hire.
    assert old in in_a1_2020 and new not in in_a1_2020
    assert old in selectors.staff_list(dept_admin, unit=tree["b1"], school_year=later)
    assert old not in selectors.staff_list(dept_admin, unit=tree["b1"], school_year=year)


def test_staff_team_must_belong_to_the_unit(tree):
    other_team = services._team_for(tree["b1"], "Tổ 1")
    with pytest.raises(ValidationError):
        services.staff_create(
            unit=tree["a1"], full_name="Lý Thị Hoa", date_of_birth=datetime.date(1990, 1, 1), gender="F",
            team=other_team,
        )


def test_a_past_years_list_shows_that_years_unit_and_position(tree, year, dept_admin, client):
    from django.urls import reverse

    person = StaffFactory(unit=tree["a1"], full_name="Châu Thị Nguyệt", position="Giáo viên",
                          start_date=datetime.date(2012, 9, 1))
    services.staff_transfer(person, to_unit=tree["b1"], on_date=datetime.date(2023, 9, 1), position="Phó Hiệu trưởng")
    client.force_login(dept_admin)
    body = client.get(reverse("staff_list"), {"year": year.code, "q": "chau thi nguyet"}).content.decode()
    assert "Tiểu học An Phú" in body and "Giáo viên" in body
    assert "Tiểu học Bình Hòa" not in body and "Phó Hiệu trưởng" not in body


def _new(name, dob=datetime.date(1990, 3, 4), team=""):
    return services.NewStaff(full_name=name, date_of_birth=dob, gender="F", position="Giáo viên", team=team)


def test_staff_create_many_saves_people_employments_teams_and_history(tree):
    saved, errors = services.staff_create_many(
        unit=tree["a1"], people=[_new("lê thị  hoa", team="Tổ Toán"), _new("Trần Văn Bình", team="Tổ Toán")],
        start_date=datetime.date(2020, 8, 1))
    assert errors == {}
    assert [s.full_name for s in saved] == ["Lê Thị Hoa", "Trần Văn Bình"]
    assert {s.team.name for s in saved} == {"Tổ Toán"} and saved[0].team_id == saved[1].team_id
    assert Employment.objects.filter(staff__in=saved, unit=tree["a1"], start_date=datetime.date(2020, 8, 1),
                                     end_date=None).count() == 2
    assert all(s.history.count() == 1 for s in saved)  # the audit trail of a single save


def test_staff_create_many_refuses_everything_when_one_person_is_wrong(tree):
    StaffFactory(unit=tree["a1"], full_name="Phạm Văn Có", date_of_birth=datetime.date(1980, 1, 1))
    before = Employment.objects.count()
    saved, errors = services.staff_create_many(unit=tree["a1"], people=[
        _new("Võ Thị Mới"),
        _new("Phạm Văn Có", dob=datetime.date(1980, 1, 1)),  # already in the unit
        _new("Hồ Văn Đôi"), _new("Hồ Văn Đôi"),  # twice in the file
        _new("123"),  # not a name
    ])
    assert saved == []
    assert set(errors) == {1, 3, 4}
    assert "không thêm trùng" in errors[1] and "hai lần" in errors[3]
    assert Employment.objects.count() == before
    assert not Staff.objects.filter(full_name="Võ Thị Mới").exists()


def test_the_staff_page_of_someone_loaded_without_history_rows_opens(tree, dept_admin, login):
    """seed_demo and bulk loads write no audit rows: the page must say so, not fail."""
    from django.urls import reverse

    person = StaffFactory(unit=tree["a1"], full_name="Đinh Thị Lặng")
    person.history.all().delete()
    assert selectors.staff_changes(person) == []
    response = login(dept_admin).get(reverse("staff_detail", args=[person.pk]))
    assert response.status_code == 200 and "Đinh Thị Lặng" in response.content.decode()
