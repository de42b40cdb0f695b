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
