"""Headless Debian Chromium driven by Playwright. Outside CI a missing Chromium skips the tests
with a reason; with CI=true it is an error (the browser tests must run there)."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Flags that keep Chromium quiet on a machine with no outside network (see docs/README).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but Chromium is missing at {CHROMIUM}: .ci/run installs Debian's chromium.")
        pytest.skip(f"Chromium not found at {CHROMIUM}; install Debian's chromium to run browser tests.")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by test
    # fixtures are still synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    yield page
    context.close()
