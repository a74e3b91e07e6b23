"""The register → review → approve path, clicked through in Chromium by each role."""

import pytest

from registrations.models import Registration, RegistrationDossier
from tests.conftest import PASSWORD
from units.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server.url}/")


def log_out(page):
    page.context.clear_cookies()


def test_school_registers_phong_forwards_so_accepts(live_server, page, tree, year, catalogue, people, make_user):
    make_user("a1", Role.SCHOOL_OFFICER, username="canbo.a1")
    make_user("pgd_a", Role.DISTRICT_REVIEWER, username="phong.a")
    make_user("sgd", Role.DEPARTMENT_REVIEWER, username="so.tdkt")

    # The school officer ticks both people, sets them to LĐTT in one go, then saves.
    log_in(page, live_server, "canbo.a1")
    page.goto(f"{live_server.url}/dang-ky/?year={year.code}")
    page.locator("#check-all").check()
    page.locator("#bulk-title").select_option("LDTT")
    page.locator("#bulk-apply").click()
    page.get_by_label("Danh hiệu của Nguyễn Văn A").select_option("CSTDCS")
    page.keyboard.press("Control+s")
    page.wait_for_selector("text=Đã lưu 2 thay đổi")
    assert page.locator("#summary").inner_text().replace("\t", " ").count("LĐTT 2") == 1
    page.get_by_role("link", name="Nộp hồ sơ").click()
    page.get_by_role("button", name="Xác nhận: nộp hồ sơ").click()
    page.wait_for_selector("text=Đã nộp hồ sơ:")
    assert page.get_by_text("Hồ sơ đã nộp nên chỉ xem được").is_visible()
    log_out(page)

    # The Phòng forwards it.
    log_in(page, live_server, "phong.a")
    page.goto(f"{live_server.url}/tien-do/?year={year.code}")
    page.get_by_role("link", name="Trường Tiểu học An Phú").first.click()
    page.get_by_role("link", name="Chuyển lên Sở").click()
    page.get_by_role("button", name="Xác nhận: chuyển lên sở").click()
    page.wait_for_selector("text=Đã chuyển hồ sơ lên Sở")
    log_out(page)

    # The Sở returns it with a reason; the school sees the reason.
    log_in(page, live_server, "so.tdkt")
    dossier = RegistrationDossier.objects.get()
    page.goto(f"{live_server.url}/dang-ky/{dossier.unit_id}/{year.code}/return/")
    page.get_by_label("Lý do trả lại (bắt buộc)").fill("Thiếu đăng ký tập thể")
    page.get_by_role("button", name="Xác nhận: trả lại").click()
    page.wait_for_selector("text=Hồ sơ bị trả lại")
    log_out(page)

    log_in(page, live_server, "canbo.a1")
    page.goto(f"{live_server.url}/dang-ky/?year={year.code}")
    assert page.get_by_text("Lý do: Thiếu đăng ký tập thể").is_visible()
    page.get_by_label("Danh hiệu của Trường Tiểu học An Phú").select_option("TTLDTT")
    page.get_by_role("button", name="Lưu (Ctrl+S)").click()
    page.wait_for_selector("text=Đã lưu 1 thay đổi")
    page.get_by_role("link", name="Nộp hồ sơ").click()
    page.get_by_role("button", name="Xác nhận: nộp hồ sơ").click()
    log_out(page)

    log_in(page, live_server, "phong.a")
    page.goto(f"{live_server.url}/dang-ky/{dossier.unit_id}/{year.code}/forward/")
    page.get_by_role("button", name="Xác nhận: chuyển lên sở").click()
    log_out(page)
    log_in(page, live_server, "so.tdkt")
    page.goto(f"{live_server.url}/dang-ky/{dossier.unit_id}/{year.code}/accept/")
    # One CSTĐCS among two LĐTT is above the 15% quota: the page says so and asks for a reason.
    assert page.locator("#blocked").is_visible()
    page.get_by_label("Lý do vẫn duyệt").fill("Đơn vị nhỏ, Sở chấp thuận")
    page.get_by_role("button", name="Xác nhận: duyệt hồ sơ").click()
    page.wait_for_selector("text=Sở duyệt")

    dossier.refresh_from_db()
    assert dossier.status == RegistrationDossier.Status.ACCEPTED
    assert sorted(r.title.code for r in Registration.objects.select_related("title")) == ["CSTDCS", "LDTT", "TTLDTT"]
    timeline = page.locator("#timeline").inner_text()
    for step in ("Nộp hồ sơ", "Phòng chuyển Sở", "Trả lại", "Ghi đè", "Sở duyệt"):
        assert step in timeline
