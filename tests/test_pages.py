"""Each role's pages render in Vietnamese, with dates as dd/mm/yyyy."""

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats

from units.models import Role


def test_settings_are_vietnamese():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert formats.date_format(datetime.date(2020, 9, 5), "SHORT_DATE_FORMAT") == "05/09/2020"


@pytest.mark.django_db
def test_login_page_is_vietnamese(client):
    response = client.get(reverse("login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'lang="vi"' in body and "Đăng nhập" in body and "Mật khẩu" in body


@pytest.mark.django_db
def test_wrong_password_message_is_vietnamese(client, officer_a1):
    response = client.post(reverse("login"), {"username": officer_a1.username, "password": "sai-mat-khau"})
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


@pytest.mark.parametrize(
    "unit_key, role, template, expected",
    [
        ("sgd", Role.DEPARTMENT_ADMIN, "units/home_department.html", "Phòng GD&amp;ĐT huyện A"),
        ("sgd", Role.DEPARTMENT_REVIEWER, "units/home_department.html", "THPT Xuân Lộc"),
        ("pgd_a", Role.DISTRICT_REVIEWER, "units/home_district.html", "Tiểu học An Phú"),
        ("a1", Role.SCHOOL_OFFICER, "units/home_school.html", "Nguyễn Văn A"),
        ("x", Role.SCHOOL_HEAD, "units/home_school.html", "Phạm Thị Xuân"),
    ],
)
def test_home_page_fits_the_role(people, make_user, login, unit_key, role, template, expected):
    response = login(make_user(unit_key, role)).get(reverse("home"))
    assert response.status_code == 200
    assert template in [t.name for t in response.templates]
    assert expected in response.content.decode()


def test_department_home_counts_units_and_staff_per_district(people, dept_admin, login):
    rows = {r.unit.code: r for r in login(dept_admin).get(reverse("home")).context["rows"]}
    assert (rows["PGD-A"].unit_count, rows["PGD-A"].staff_count) == (3, 2)
    assert (rows["PGD-B"].unit_count, rows["PGD-B"].staff_count) == (2, 1)
    assert (rows["THPT-X"].unit_count, rows["THPT-X"].staff_count) == (1, 1)
    # The Sở's own row comes first; the totals cover the whole tree.
    response = login(dept_admin).get(reverse("home"))
    assert response.context["rows"][0].unit.code == "SGD"
    assert response.context["total_units"] == 7 and response.context["total_staff"] == 4


def test_staff_list_page_searches_and_shows_dates_dd_mm_yyyy(people, officer_a1, login):
    response = login(officer_a1).get(reverse("staff_list"), {"q": "tran thi dao"})
    body = response.content.decode()
    assert "Trần Thị Đào" in body and "Nguyễn Văn A" not in body
    assert "02/01/1990" in body


def test_unit_search_ignores_diacritics(tree, dept_admin, login):
    page = login(dept_admin).get(reverse("unit_list"), {"q": "duc lap"}).context["page"]
    assert [u.code for u in page] == ["THCS-A-2"]


def test_unit_search_is_a_phrase_not_scattered_words(tree, dept_admin, login):
    from tests.factories import UnitFactory

    UnitFactory(code="PGD-MH", name="Phòng Giáo dục và Đào tạo huyện Mộc Hóa", level="PGD", parent=tree["sgd"])
    UnitFactory(code="TH-DH", name="Trường Tiểu học Thị trấn Đức Hòa", level="TH", parent=tree["pgd_a"])
    page = login(dept_admin).get(reverse("unit_list"), {"q": "DUC HOA"}).context["page"]
    assert [u.code for u in page] == ["TH-DH"]


def test_unit_page_shows_the_name_of_the_selected_year(tree, people, dept_admin, login):
    from tests.factories import school_year
    from units import services

    school_year("2023-2024")
    services.unit_change(tree["a1"], from_year=2023, name="Trường Tiểu học An Phú Mới")
    client = login(dept_admin)
    old = client.get(reverse("unit_detail", args=[tree["a1"].pk]), {"year": "2020-2021"}).content.decode()
    new = client.get(reverse("unit_detail", args=[tree["a1"].pk]), {"year": "2023-2024"}).content.decode()
    assert "<h1 class=\"page-title\">Trường Tiểu học An Phú <small" in old
    assert "<h1 class=\"page-title\">Trường Tiểu học An Phú Mới <small" in new
    # The choice of year sticks for the session.
    assert "Năm học 2023-2024" in client.get(reverse("unit_list")).content.decode()


def test_officer_adds_and_edits_staff_of_own_unit(tree, year, officer_a1, login):
    client = login(officer_a1)
    response = client.post(reverse("staff_create"), {
        "full_name": "  huỳnh   Thị Mỹ Duyên ", "date_of_birth": "05/09/1988", "gender": "F", "position": "Giáo viên",
    })
    assert response.status_code == 302
    from units.models import Staff

    staff = Staff.objects.get(given_name="Duyên")
    assert staff.full_name == "Huỳnh Thị Mỹ Duyên"
    assert staff.unit == tree["a1"] and staff.date_of_birth == datetime.date(1988, 9, 5)
    assert staff.employments.count() == 1
    response = client.post(reverse("staff_edit", args=[staff.pk]), {
        "full_name": "Huỳnh Thị Mỹ Duyên", "date_of_birth": "32/13/1988", "gender": "F",
    })
    assert response.status_code == 200 and "Ngày sinh" in response.content.decode()
    staff.refresh_from_db()
    assert staff.date_of_birth == datetime.date(1988, 9, 5)


def test_no_missing_migrations(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_staff_page_shows_who_changed_what(people, officer_a1, login):
    staff = people["a1"][1]
    client = login(officer_a1)
    client.post(reverse("staff_edit", args=[staff.pk]), {
        "full_name": "Trần Thị Đào", "date_of_birth": "02/01/1990", "gender": "F", "position": "Tổ trưởng",
    })
    changes = client.get(reverse("staff_detail", args=[staff.pk])).context["changes"]
    assert changes[0].who == officer_a1 and changes[0].kind == "Sửa"
    assert changes[0].fields == ["chức vụ"]
    assert changes[-1].kind == "Tạo mới"


@pytest.mark.django_db
def test_error_pages_are_vietnamese(client, officer_a1, tree, settings):
    settings.DEBUG = False
    client.force_login(officer_a1)
    not_found = client.get("/khong-co-trang-nay/")
    assert not_found.status_code == 404 and "Không tìm thấy trang" in not_found.content.decode()
    forbidden = client.get(reverse("account_list"))
    assert forbidden.status_code == 403 and "Chỉ quản trị viên của Sở" in forbidden.content.decode()


@pytest.mark.django_db
def test_csrf_failure_page_is_vietnamese(tree, officer_a1):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403 and "Trang đã cũ, vui lòng tải lại" in response.content.decode()


@pytest.mark.parametrize(
    "name, message",
    [("123 456", "không phải là một từ trong tên người"), ("😀 😀", "không phải là một từ"),
     ("A" * 60 + " B", "quá dài"), (" ".join(["An"] * 16), "nhiều hơn mức cho phép")],
)
def test_staff_form_refuses_names_that_are_not_names(tree, year, officer_a1, login, name, message):
    from units.models import Staff

    response = login(officer_a1).post(reverse("staff_create"), {
        "full_name": name, "date_of_birth": "05/09/1988", "gender": "F",
    })
    assert response.status_code == 200 and message in response.content.decode()
    assert not Staff.objects.exists()


def test_staff_form_refuses_impossible_start_dates(tree, year, officer_a1, login):
    from units.models import Staff

    client = login(officer_a1)
    for start in ("01/01/2099", "01/01/1970"):
        response = client.post(reverse("staff_create"), {
            "full_name": "Lê Thị Hoa", "date_of_birth": "05/09/1985", "gender": "F", "start_date": start,
        })
        assert response.status_code == 200 and "Ngày bắt đầu công tác" in response.content.decode()
    assert not Staff.objects.exists()


def test_adding_the_same_person_twice_is_refused(tree, year, officer_a1, login):
    from units.models import Staff

    client = login(officer_a1)
    data = {"full_name": "Lê Thị Hoa", "date_of_birth": "05/09/1985", "gender": "F"}
    assert client.post(reverse("staff_create"), data).status_code == 302
    response = client.post(reverse("staff_create"), data)
    assert "không thêm trùng" in response.content.decode()
    assert Staff.objects.count() == 1


def test_editing_over_someone_elses_change_is_refused(people, officer_a1, head_a1, login):
    from django.test import Client

    staff = people["a1"][1]
    officer = login(officer_a1)
    form = officer.get(reverse("staff_edit", args=[staff.pk])).context["form"]
    loaded_at = form["loaded_at"].value()
    head = Client()
    head.force_login(head_a1)
    head_form = head.get(reverse("staff_edit", args=[staff.pk])).context["form"]
    assert head.post(reverse("staff_edit", args=[staff.pk]), {
        "full_name": "Trần Thị Đào", "date_of_birth": "02/01/1990", "gender": "F", "position": "Tổ trưởng",
        "loaded_at": head_form["loaded_at"].value(),
    }).status_code == 302
    response = officer.post(reverse("staff_edit", args=[staff.pk]), {
        "full_name": "Trần Thị Đào", "date_of_birth": "02/01/1990", "gender": "F", "position": "Giáo viên",
        "loaded_at": loaded_at,
    })
    assert "vừa được sửa bởi" in response.content.decode()
    staff.refresh_from_db()
    assert staff.position == "Tổ trưởng"


def test_junk_ids_in_the_query_string_are_404_not_500(tree, dept_admin, login):
    client = login(dept_admin)
    assert client.get(reverse("staff_list"), {"unit": "abc"}).status_code == 404
    assert client.get(reverse("staff_list"), {"unit": "1.5"}).status_code == 404
    assert client.get(reverse("account_create"), {"unit": "abc"}).status_code == 404


def test_a_units_staff_link_lists_that_unit_and_the_all_link_its_subtree(tree, people, dept_admin, login):
    from tests.factories import StaffFactory

    StaffFactory(unit=tree["pgd_a"], full_name="Đoàn Văn Phòng")
    client = login(dept_admin)
    own = client.get(reverse("staff_list"), {"unit": tree["pgd_a"].pk}).context["page"]
    assert [s.full_name for s in own] == ["Đoàn Văn Phòng"]
    everyone = client.get(reverse("staff_list"), {"unit": tree["pgd_a"].pk, "all": "1"}).context["page"]
    assert sorted(s.full_name for s in everyone) == ["Nguyễn Văn A", "Trần Thị Đào", "Đoàn Văn Phòng"]
    page = client.get(reverse("unit_detail", args=[tree["pgd_a"].pk]))
    assert (page.context["staff_count"], page.context["subtree_staff"]) == (1, 3)


def test_unit_code_prefix_search(tree, dept_admin, login):
    page = login(dept_admin).get(reverse("unit_list"), {"q": "THCS-A"}).context["page"]
    assert [u.code for u in page] == ["THCS-A-2"]


def test_unit_list_is_grouped_by_district_then_phong_first(db, login):
    from units.loading import load_units

    load_units(
        "code,name,level,parent_code,district\n"
        "SGD,Sở Giáo dục và Đào tạo tỉnh Thử,SGD,,\n"
        "PGD-TA,Phòng Giáo dục và Đào tạo thành phố Tân An,PGD,SGD,Thành phố Tân An\n"
        "PGD-BL,Phòng Giáo dục và Đào tạo huyện Bến Lức,PGD,SGD,Huyện Bến Lức\n"
        "TH-TA-X,Trường Tiểu học Xuân,TH,PGD-TA,Thành phố Tân An\n"
        "THPT-BL-A,Trường THPT An,THPT,SGD,Huyện Bến Lức\n"
        "TH-BL-B,Trường Tiểu học Bình,TH,PGD-BL,Huyện Bến Lức\n",
        from_year=2020,
    )
    from units.models import Role, Unit, User

    admin = User.objects.create(username="admin.thu", unit=Unit.objects.get(code="SGD"), role=Role.DEPARTMENT_ADMIN)
    page = login(admin).get(reverse("unit_list")).context["page"]
    assert [u.code for u in page] == ["SGD", "PGD-BL", "TH-BL-B", "THPT-BL-A", "PGD-TA", "TH-TA-X"]


@pytest.mark.django_db
def test_a_superuser_from_createsuperuser_noinput_can_log_in_and_browse(tree, year, catalogue, client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "quantri")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Mat-khau-quan-tri-2026")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "qt@thidua.example")
    call_command("createsuperuser", "--noinput", verbosity=0)
    response = client.post(reverse("login"), {"username": "quantri", "password": "Mat-khau-quan-tri-2026"})
    assert response.status_code == 302
    for name in ("home", "unit_list", "staff_list", "account_list", "board", "report_summary", "dossier_list"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("unit_detail", args=[tree["b1"].pk])).status_code == 200
