"""Personal data stays out of URLs (which end up in browser history, proxy and server logs and
Referer headers) and out of caches: client searches are POSTed, links carry ids only, and every
page a logged-in user sees is ``Cache-Control: no-store``.

The crawl opens every page the route matrix lets a role open, reads every link, form action and
GET form of it, and looks for any client's NIK or name and for search-like parameters.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, unquote_plus, urlsplit

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import NoReverseMatch, reverse

from .route_matrix import OK, ROUTES
from .test_route_matrix import project_patterns

# GET forms that may search by free text, and why that text is not a client's data.
FREE_TEXT_GET_FORMS = {
    "bapas/users/list.html": "searches staff accounts by name or email (no client data)",
    "partners/directory.html": "searches organisations by name (no personal data)",
}
SENSITIVE_PARAMETERS = {"q", "nik", "name", "full_name", "search", "term", "phone", "address",
                        "birth_date", "client_name"}


class _Links(HTMLParser):
    """Every URL in the page and the field names of its GET forms."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.get_form_fields: list[str] = []
        self._in_get_form = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("href", "action", "src", "hx-get", "hx-post", "data-url", "formaction"):
            if attributes.get(name):
                self.urls.append(attributes[name])
        if tag == "form":
            self._in_get_form = (attributes.get("method") or "get").lower() == "get"
        elif (tag in {"input", "select", "textarea"} and self._in_get_form
              and attributes.get("type") not in {"submit", "button"} and attributes.get("name")):
            self.get_form_fields.append(attributes["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False


def _personal_values(demo) -> dict[str, str]:
    from clients.models import Client

    values = {}
    for client in Client.objects.all():
        if client.nik:
            values[client.nik] = f"NIK of client {client.pk}"
        values[client.full_name.lower()] = f"name of client {client.pk}"
    return values


def _problems_in(url: str, page: str, personal: dict[str, str]) -> list[str]:
    found = []
    decoded = unquote_plus(url).lower()
    for value, what in personal.items():
        if value and value in decoded:
            found.append(f"{page}: link {url!r} carries the {what}")
    for key, _value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key in SENSITIVE_PARAMETERS and key != "q":
            found.append(f"{page}: link {url!r} has a '{key}' parameter")
    return found


def crawl(demo, role: str) -> list[str]:
    http = HttpClient(raise_request_exception=False)
    http.force_login(demo.users[role])
    personal = _personal_values(demo)
    present = {p.key for p in project_patterns()}
    problems = []
    for key, route in sorted(ROUTES.items()):
        if key not in present or route.get.get(role) != OK or not (
                ":" in key or key.isidentifier()):
            continue
        try:
            url = reverse(key, kwargs={k: demo.ids[v] for k, v in route.args.items()})
        except NoReverseMatch:
            continue
        response = http.get(url)
        if response.status_code != 200:
            continue
        if "no-store" not in response.get("Cache-Control", ""):
            problems.append(f"{url}: Cache-Control is {response.get('Cache-Control')!r}")
        if "html" not in response.get("Content-Type", "") or response.streaming:
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for link in parser.urls:
            problems += _problems_in(link, url, personal)
        sensitive_fields = set(parser.get_form_fields) & SENSITIVE_PARAMETERS
        if sensitive_fields and not any(
                template in _templates_of(response) for template in FREE_TEXT_GET_FORMS):
            problems.append(f"{url}: a GET form sends {sorted(sensitive_fields)} in the URL")
    return problems


def _templates_of(response) -> set[str]:
    return {t.name for t in getattr(response, "templates", []) if t.name}


@pytest.mark.parametrize("role", ["pk", "operator", "supervisor", "partner", "regional",
                                  "admin"])
def test_pages_keep_personal_data_out_of_links_and_caches(demo, role):
    problems = crawl(demo, role)
    assert not problems, "\n".join(problems)


# --- searches ------------------------------------------------------------------------------

def _urls_of(content: bytes) -> list[str]:
    parser = _Links()
    parser.feed(content.decode())
    return parser.urls


def test_caseload_search_term_never_appears_in_a_link(demo):
    http = HttpClient()
    http.force_login(demo.users["pk"])
    for term in (demo["client_nik"], demo["client_name"]):
        response = http.post(reverse("clients:caseload"), {"q": term})
        assert response.status_code == 302
        assert term.lower() not in unquote_plus(response["Location"]).lower()
        page = http.get(response["Location"])
        assert page.status_code == 200
        assert term.encode() in page.content  # echoed in the search box, so the search ran
        for url in _urls_of(page.content):
            assert term.lower() not in unquote_plus(url).lower(), url
        # nor in the next pages of the result or its filters
        filtered = http.get(reverse("clients:caseload"), {"program": "pb", "page": 1})
        for url in _urls_of(filtered.content):
            assert term.lower() not in unquote_plus(url).lower(), url


def test_checkin_search_term_never_appears_in_a_link(demo):
    http = HttpClient()
    http.force_login(demo.users["operator"])
    for term in (demo["client_nik"], demo["client_name"]):
        page = http.post(reverse("clients:checkin"), {"q": term})
        assert page.status_code == 200
        assert reverse("clients:checkin_confirm", args=[demo["order"]]).encode() in page.content
        for url in _urls_of(page.content):
            assert term.lower() not in unquote_plus(url).lower(), url


def test_client_search_boxes_are_post_forms(demo):
    """On the rendered pages, the search box of the caseload and of the front-desk check-in
    sits in a POST form, and no GET form anywhere on them takes a search term."""
    http = HttpClient()
    http.force_login(demo.users["supervisor"])
    for name in ("clients:caseload", "clients:checkin"):
        content = http.get(reverse(name)).content.decode()
        forms = re.findall(r"<form\b([^>]*)>(.*?)</form>", content, re.S | re.I)
        with_q = [attrs for attrs, body in forms if re.search(r'name="q"', body)]
        assert with_q, name
        assert all('method="post"' in attrs.lower() for attrs in with_q), name


# --- static checks -------------------------------------------------------------------------

def test_no_url_pattern_takes_personal_data():
    for pattern in project_patterns():
        assert not set(pattern.converters) & SENSITIVE_PARAMETERS, pattern.route


def _project_files(suffix: str):
    for folder in ("bapas", "clients", "partners", "meetings", "reports", "templates"):
        yield from (Path(settings.BASE_DIR) / folder).rglob(f"*{suffix}")


QUERY_PARAMETER = re.compile(r"[?&](nik|name|full_name|search|term|phone|client_name)=", re.I)


def test_no_code_or_template_builds_a_url_with_personal_data():
    found = []
    for path in [*_project_files(".py"), *_project_files(".html")]:
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if QUERY_PARAMETER.search(line):
                found.append(f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_get_forms_with_free_text_are_reviewed():
    """A GET form with a free-text search field puts what is typed into the URL: each one
    must be listed in FREE_TEXT_GET_FORMS with the reason it holds no client data."""
    unreviewed = []
    root = Path(settings.BASE_DIR) / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<form\b([^>]*)>(.*?)</form>", text, re.S | re.I):
            attributes, body = match.groups()
            method = re.search(r'method\s*=\s*"([^"]+)"', attributes)
            if method and method.group(1).lower() != "get":
                continue
            names = set(re.findall(r'name\s*=\s*"([^"{]+)"', body))
            name = str(path.relative_to(root))
            if names & SENSITIVE_PARAMETERS and name not in FREE_TEXT_GET_FORMS:
                unreviewed.append(f"{name}: {sorted(names & SENSITIVE_PARAMETERS)}")
    assert not unreviewed, "\n".join(unreviewed)


def test_the_link_check_spots_personal_data():
    personal = {"3509222705801807": "NIK of client 1", "matrawi": "name of client 1"}
    assert _problems_in("/clients/?nik=3509222705801807", "/p/", personal)
    assert _problems_in("/x/?who=Matrawi", "/p/", personal)
    assert _problems_in("/x/?full_name=abc", "/p/", personal)
    assert not _problems_in("/clients/1/?tab=notes", "/p/", personal)
