import pytest
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import UnitFactory
from units import selectors, services
from units.models import Role, User


def test_admin_creates_an_account_for_a_new_school_the_same_day(tree, dept_admin, login, client):
    new = UnitFactory(code="MG-A-NEW", name="Trường Mẫu giáo Vành Khuyên", level="MG", parent=tree["pgd_a"])
    admin = login(dept_admin)
    assert new in admin.get(reverse("units_without_account")).context["units"]
    response = admin.post(reverse("account_create"), {
        "unit": new.pk, "username": "mg.vanhkhuyen", "full_name": "Trần Thị Lan", "role": Role.SCHOOL_OFFICER,
    })
    assert response.status_code == 200
    password = response.context["password"]
    account = User.objects.get(username="mg.vanhkhuyen")
    assert account.unit == new and account.must_change_password
    assert new not in selectors.units_without_account(dept_admin)

    # The new officer logs in, is asked to change the password, then reaches the home page.
    client.logout()
    response = client.post(reverse("login"), {"username": "mg.vanhkhuyen", "password": password})
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("password_change")
    response = client.post(reverse("password_change"), {
        "old_password": password, "new_password1": "Mot-mat-khau-moi-2026", "new_password2": "Mot-mat-khau-moi-2026",
    })
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_role_must_fit_the_kind_of_unit(tree, dept_admin, login):
    response = login(dept_admin).post(reverse("account_create"), {
        "unit": tree["a1"].pk, "username": "sai.vaitro", "full_name": "Lê Văn Sai", "role": Role.DEPARTMENT_ADMIN,
    })
    assert "Vai trò này không dùng cho" in response.content.decode()
    assert not User.objects.filter(username="sai.vaitro").exists()


def test_locked_account_cannot_log_in_and_is_told_so(tree, dept_admin, officer_a1, login, client):
    admin = login(dept_admin)
    admin.post(reverse("account_toggle_active", args=[officer_a1.pk]), {"active": "0"})
    # A double submit (or a stale page) states the same target: it stays locked.
    admin.post(reverse("account_toggle_active", args=[officer_a1.pk]), {"active": "0"})
    officer_a1.refresh_from_db()
    assert not officer_a1.is_active
    client.logout()
    response = client.post(reverse("login"), {"username": officer_a1.username, "password": PASSWORD})
    assert response.status_code == 200 and "Tài khoản này đã bị khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session
    admin = login(dept_admin)
    admin.post(reverse("account_toggle_active", args=[officer_a1.pk]), {"active": "1"})
    officer_a1.refresh_from_db()
    assert officer_a1.is_active


def test_a_locked_accounts_open_session_stops_working(tree, dept_admin, officer_a1, client):
    client.force_login(officer_a1)
    officer_a1.is_active = False
    officer_a1.save()
    assert client.get(reverse("home")).status_code == 302


def test_username_is_not_case_sensitive(tree, officer_a1, client):
    response = client.post(reverse("login"), {"username": "  OFFICER.A1 ", "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(officer_a1.pk)


def test_new_password_must_differ_from_the_one_handed_over(tree, officer_a1, login):
    response = login(officer_a1).post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD,
    })
    assert "Mật khẩu mới phải khác mật khẩu hiện tại." in response.content.decode()


def test_password_reset_lifts_a_login_lockout(tree, dept_admin, officer_a1, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": officer_a1.username.upper(), "password": "sai"})
    assert client.post(reverse("login"), {"username": officer_a1.username, "password": PASSWORD}).status_code == 429
    from django.test import Client

    admin_client = Client()
    admin_client.force_login(dept_admin)
    new_password = admin_client.post(reverse("account_reset_password", args=[officer_a1.pk])).context["password"]
    response = client.post(reverse("login"), {"username": officer_a1.username, "password": new_password})
    assert response.status_code == 302


def test_reset_password_gives_a_new_one_time_password(tree, dept_admin, officer_a1, login):
    response = login(dept_admin).post(reverse("account_reset_password", args=[officer_a1.pk]))
    new_password = response.context["password"]
    officer_a1.refresh_from_db()
    assert officer_a1.check_password(new_password) and not officer_a1.check_password(PASSWORD)
    assert officer_a1.must_change_password


def test_admin_cannot_lock_itself(dept_admin):
    with pytest.raises(services.AccountError):
        services.account_set_active(actor=dept_admin, account=dept_admin, active=False)


def test_account_pages_refuse_other_scopes(tree, make_user, login):
    # A Sở admin of another province (a sibling root) does not see our accounts.
    other_root = UnitFactory(code="SGD-KHAC", name="Sở Giáo dục và Đào tạo tỉnh Khác", level="SGD")
    foreign_admin = User.objects.create(username="admin.khac", unit=other_root, role=Role.DEPARTMENT_ADMIN)
    ours = make_user("a1", Role.SCHOOL_OFFICER)
    client = login(foreign_admin)
    assert client.get(reverse("account_detail", args=[ours.pk])).status_code == 404
    assert client.post(reverse("account_reset_password", args=[ours.pk])).status_code == 404
    assert client.get(reverse("account_create"), {"unit": tree["a1"].pk}).status_code == 404
    with pytest.raises(services.AccountError):
        services.account_create(actor=foreign_admin, unit=tree["a1"], username="x", full_name="X Y", role=Role.VIEWER)


def test_login_is_throttled_after_repeated_failures(tree, officer_a1, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": officer_a1.username, "password": "sai"})
    response = client.post(reverse("login"), {"username": officer_a1.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in response.content.decode()


def test_password_rules_speak_vietnamese(officer_a1, login):
    response = login(officer_a1).post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "a1b", "new_password2": "a1b",
    })
    body = response.content.decode()
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in body
    assert "This password" not in body
