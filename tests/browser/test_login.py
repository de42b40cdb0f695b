import pytest

pytestmark = pytest.mark.browser


def test_pk_logs_in_and_reaches_home(page, log_in):
    log_in("pk1@demo.local")
    assert page.url.rstrip("/").endswith(page.url.split("/")[2])  # the site root
    assert page.locator("h1").first.inner_text().startswith("Selamat datang")
    assert page.get_by_text("Agus Prasetyo", exact=False).first.is_visible() or \
        page.locator(".navbar").inner_text().find("Agus") >= 0


def test_wrong_password_stays_on_login_with_message(page, log_in):
    log_in("pk1@demo.local", "salah-sandi")
    assert "/accounts/login/" in page.url
    assert page.locator(".alert-danger").is_visible()
