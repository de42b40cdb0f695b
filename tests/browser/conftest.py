"""Playwright for Python driving Debian's Chromium against pytest-django's live server.

Playwright's own browser download cannot run here, so we launch the system Chromium through
``executable_path``. Tests skip with a clear reason where no Chromium is installed; CI installs it.
"""

from __future__ import annotations

import io
import os
import shutil

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around
# it are ordinary synchronous calls, so Django's async-safety guard is relaxed for these tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# One Playwright and one Chromium per test process: other test packages import these fixtures,
# and two sync Playwright instances cannot run in one thread.
_shared: dict = {}


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package to run "
                    "browser tests")
    if "browser" not in _shared:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _shared["playwright"] = playwright
        _shared["browser"] = playwright.chromium.launch(executable_path=CHROMIUM,
                                                        args=CHROMIUM_ARGS)
    yield _shared["browser"]
    if "playwright" in _shared:
        _shared.pop("browser").close()
        _shared.pop("playwright").stop()


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())


@pytest.fixture
def page(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, locale="id-ID",
                                  viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def log_in(page):
    def _log_in(email: str, password: str = "demo12345"):
        page.goto("/accounts/login/")
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return _log_in
