"""Headers and templates that keep scripts and personal data where they belong."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(?!\s*</script>)", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_csp_forbids_inline_scripts(client, db):
    response = client.get(reverse("account_login"))
    csp = response["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_logged_in_pages_are_not_cached(login, users):
    response = login(users["pk"]).get(reverse("home"))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("template", sorted(
    str(p.relative_to(settings.BASE_DIR)) for d in TEMPLATE_DIRS for p in d.rglob("*.html")
))
def test_templates_have_no_inline_scripts_or_handlers(template):
    text = (Path(settings.BASE_DIR) / template).read_text(encoding="utf-8")
    # json_script output is data, not code: {{ x|json_script:"id" }} renders a JSON script tag.
    assert not INLINE_SCRIPT.search(text), f"inline <script> in {template}"
    assert not EVENT_HANDLER.search(text), f"inline event handler in {template}"


def test_production_cookies_and_hsts(tmp_path):
    """With DEBUG off: HSTS for a year with subdomains and preload, cookies Secure, HttpOnly,
    SameSite and __Host- prefixed (bound to the exact host, never sent over HTTP)."""
    from tests.bapas.test_settings import run_django

    code = (
        "from django.conf import settings as s;"
        "from django.http import HttpResponse;"
        "from django.middleware.security import SecurityMiddleware;"
        "from django.test import RequestFactory;"
        "r = SecurityMiddleware(lambda req: HttpResponse())("
        "RequestFactory().get('/', secure=True));"
        "print('HSTS', r['Strict-Transport-Security']);"
        "print('COOKIES', s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_NAME,"
        " s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY);"
        "print('SESSION', s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE,"
        " s.SESSION_ABSOLUTE_LIFETIME, s.SECURE_SSL_REDIRECT, s.X_FRAME_OPTIONS,"
        " s.SECURE_REFERRER_POLICY, s.SECURE_CONTENT_TYPE_NOSNIFF)"
    )
    result = run_django({"DEBUG": "false", "SECRET_KEY": "k" * 60, "VAR_DIR": str(tmp_path)},
                        "shell", "-c", code)
    lines = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines()
                 if line.split(" ", 1)[0] in {"HSTS", "COOKIES", "SESSION"})
    assert lines.get("HSTS") == "max-age=31536000; includeSubDomains; preload", result.stderr
    assert lines["COOKIES"].split() == ["__Host-sessionid", "True", "True", "Lax",
                                        "__Host-csrftoken", "True", "True"]
    assert lines["SESSION"].split() == ["1800", "True", "43200", "True", "DENY", "same-origin",
                                        "True"]


def test_file_downloads_are_not_cached(login, users, settings, tmp_path):
    from django.core.files.base import ContentFile

    from tests.factories import ClientFactory, OrderFactory

    order = OrderFactory(client=ClientFactory(office=users["pk"].office), assigned_pk=users["pk"])
    order.client.photo.save("p.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 20), save=True)
    response = login(users["pk"]).get(reverse("clients:photo", args=[order.client.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
