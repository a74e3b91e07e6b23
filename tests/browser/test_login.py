import pytest

from tests.conftest import PASSWORD
from units.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_logs_in_and_sees_the_home_page(live_server, page, people, make_user):
    make_user("a1", Role.SCHOOL_OFFICER, username="canbo.a1", full_name="Trần Thị Lan")
    page.goto(f"{live_server.url}/")
    assert "/dang-nhap/" in page.url
    assert page.locator("h1").inner_text().strip().startswith("Thi đua - Khen thưởng")
    page.get_by_label("Tên đăng nhập").fill("canbo.a1")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Trường Tiểu học An Phú" in page.locator("h1").inner_text()
    assert page.locator("#staff-table").get_by_text("Nguyễn Văn A").is_visible()
    assert page.get_by_text("Trần Thị Lan").is_visible()


def test_a_wrong_password_shows_a_vietnamese_message(live_server, page, officer_a1):
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(officer_a1.username)
    page.get_by_label("Mật khẩu").fill("khong-dung")
    page.get_by_role("button", name="Đăng nhập").click()
    assert page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng").is_visible()
