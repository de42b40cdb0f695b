"""Smoke crawl: every demo login uses the site as a person would, and nothing answers 500.

For each demo role the test client starts at "/" and follows, breadth first, every same-site link
of every page (GET only), then submits each POST form it met once with empty values and once with
junk. It fixes nothing: it collects every server error (URL, role, the exception's last frames),
every download with the wrong content type and every page that shows personal data the role must
not see (another office's clients, NIKs not shared with a partner, any NIK for the regional
office), and fails listing them all. Links that answer 4xx are printed as broken links but do not
fail the test.

Known server errors being fixed elsewhere go in ``KNOWN_500S`` below: they are still printed, but
do not fail the suite. Empty it as they are fixed.
"""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import subprocess
import sys
import time
import traceback
import zipfile
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.signals import got_request_exception
from django.test import Client as DjangoClient
from django.urls import Resolver404, resolve

# (role email, "METHOD /path/") of server errors already reported and being fixed. The path is
# the shape of the URL: digits replaced by N, no query string. Do not add to it to make a new
# failure go away; fix the code.
KNOWN_500S: list[tuple[str, str]] = []

ROLE_EMAILS: tuple[str, ...] = (
    "admin@demo.local",
    "kabapas@demo.local",
    "kasubsi@demo.local",
    "pk1@demo.local",
    "operator@demo.local",
    "kanwil@demo.local",
    "pk@bondowoso.demo.local",
    "dinsos@demo.local",
    "pokmas@demo.local",
)

MAX_REQUESTS = 400  # GETs per role
MAX_PER_SHAPE = 3  # visits of one URL shape (digits replaced by N, same query keys)
# POST submissions per role (three per form: empty, junk, as rendered). The offices' managers
# meet some 60 distinct forms; a role's crawl still takes about a minute.
MAX_POSTS = 180
MAX_GET_FORMS = 80  # requests with junk in filter/search forms per role

SKIP_PREFIXES = ("/accounts/logout/", "/i18n/", "/static/", "/media/", "/_errors/")
# A form whose action (or chosen hidden "action" value) says one of these would end or undo
# something the rest of the crawl needs, or is a one-way decision: it is not submitted.
SKIP_FORM_WORDS = frozenset({
    "delete", "withdraw", "cancel", "close", "decide", "retry", "regenerate", "read",
    "mark-read", "remove", "revoke", "deactivate", "logout", "setlang",
})

JUNK_TEXT = ("<script>x</script>", "-1", "12345678901234567", "9999-99-99")
JUNK_DATE = "9999-99-99"
JUNK_NUMBER = "12345678901234567"
DATE_TYPES = frozenset({"date", "datetime-local", "time", "month", "week"})
TEXT_TYPES = frozenset({"text", "search", "email", "tel", "url", "password", "color", "range"})

DOWNLOAD_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ics": "text/calendar",
    "csv": "text/csv",
}
NIK_RE = re.compile(rb"(?<!\d)\d{16}(?!\d)")
PDFTOTEXT = shutil.which("pdftotext")
PROJECT_ROOT = str(Path(django_settings.BASE_DIR).resolve())


# --- HTML -----------------------------------------------------------------------------------

@dataclass
class FormField:
    tag: str
    name: str
    type: str = "text"
    value: str = ""
    checked: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)


@dataclass
class Form:
    method: str
    action: str
    htmx: bool = False
    fields: list[FormField] = field(default_factory=list)


class PageParser(HTMLParser):
    """Links (a[href], hx-get) and forms with their fields, from the standard library parser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._option: list | None = None  # [value or None, selected, text]
        self._textarea: FormField | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if a.get("hx-get"):
            self.links.append(a["hx-get"])
        if tag == "form":
            method, action, htmx = (a.get("method") or "get").lower(), a.get("action", ""), False
            if a.get("hx-post"):
                method, action, htmx = "post", a["hx-post"], True
            self._form = Form(method=method, action=action, htmx=htmx)
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        if tag == "input":
            self._form.fields.append(FormField(
                "input", a.get("name", ""), (a.get("type") or "text").lower(), a.get("value", ""),
                "checked" in a,
            ))
        elif tag == "button":
            self._form.fields.append(FormField(
                "button", a.get("name", ""), (a.get("type") or "submit").lower(),
                a.get("value", ""),
            ))
        elif tag == "select":
            self._select = FormField("select", a.get("name", ""), "select")
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._close_option()
            self._option = [a.get("value") if "value" in a else None, "selected" in a, ""]
        elif tag == "textarea":
            self._textarea = FormField("textarea", a.get("name", ""), "textarea")
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        elif self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._close_option()
            self._form = self._select = self._textarea = None
        elif tag == "select":
            self._close_option()
            self._select = None
        elif tag == "option":
            self._close_option()
        elif tag == "textarea":
            self._textarea = None

    def _close_option(self):
        if self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select.options.append((text.strip() if value is None else value, selected))
        self._option = None


def _rendered(f: FormField) -> str | None:
    """What the browser sends for a field nobody touched (None: nothing)."""
    if f.type in {"checkbox", "radio"}:
        return (f.value or "on") if f.checked else None
    if f.tag == "select":
        chosen = [v for v, selected in f.options if selected] or [v for v, _ in f.options[:1]]
        return chosen[0] if chosen else None
    return f.value


def form_payload(form: Form, mode: str, only: str | None = None) -> dict[str, list[str]]:
    """The data a person would send. "rendered": the form as the page filled it in (Save
    pressed without typing); "empty": every field they can type into or choose from cleared;
    "junk": every such field filled with nonsense, or only the field ``only`` while the others
    keep their rendered values. Hidden inputs (the CSRF token among them) are sent as they are,
    and the first submit button is the one pressed."""
    data: dict[str, list[str]] = {}
    junk = 0
    pressed = False

    def put(name: str, value: str | None) -> None:
        if value is not None:
            data.setdefault(name, []).append(value)

    def next_junk() -> str:
        nonlocal junk
        junk += 1
        return JUNK_TEXT[(junk - 1) % len(JUNK_TEXT)]

    for f in form.fields:
        if not f.name:
            continue
        kind = f.type
        if f.tag == "button" or kind in {"submit", "image"}:
            if kind in {"submit", "image"} and not pressed:
                put(f.name, f.value)
                pressed = True
            continue
        if kind in {"reset", "file"}:
            continue
        if kind == "hidden":
            put(f.name, f.value)
            continue
        field_mode = mode if only is None or f.name == only else "rendered"
        if field_mode == "rendered":
            put(f.name, _rendered(f))
        elif kind == "checkbox":
            if f.checked or field_mode == "junk":
                put(f.name, f.value or "on")
        elif kind == "radio":
            if field_mode == "junk":
                if f.name not in data:
                    put(f.name, next_junk())
            elif f.checked:
                put(f.name, f.value or "on")
        elif f.tag == "select":
            put(f.name, next_junk() if field_mode == "junk" else "")
        elif kind in DATE_TYPES:
            put(f.name, JUNK_DATE if field_mode == "junk" else "")
        elif kind == "number":
            put(f.name, JUNK_NUMBER if field_mode == "junk" else "")
        else:  # text-like inputs and textareas
            put(f.name, next_junk() if field_mode == "junk" else "")
    return data


def filter_form_requests(form: Form) -> list[dict[str, list[str]]]:
    """A filter/search form: all fields junk at once, then each field alone with a huge number
    and with markup (the others as rendered), since a form invalid as a whole may never reach
    the code that uses one of its values."""
    def strip(data):
        return {k: v for k, v in data.items() if k != "csrfmiddlewaretoken"}

    requests = [strip(form_payload(form, "junk"))]
    names = list(dict.fromkeys(
        f.name for f in form.fields
        if f.name and f.type not in {"hidden", "submit", "image", "reset", "file", "button"}))
    for name in names:
        kinds = {f.type for f in form.fields if f.name == name}
        values = [JUNK_DATE] if kinds & DATE_TYPES else [JUNK_NUMBER, JUNK_TEXT[0]]
        for value in values:
            data = strip(form_payload(form, "rendered"))
            data[name] = [value]
            requests.append(data)
    return requests


# --- Crawl ----------------------------------------------------------------------------------

def shape_of(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def crawl_key(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return shape_of(parts.path), ",".join(keys)


def words_of(text: str) -> set[str]:
    words = set()
    for segment in re.split(r"[/?&=.]+", text.lower()):
        if segment:
            words.add(segment)
            words.update(re.split(r"[-_]", segment))
    return words


def skip_form(form: Form) -> bool:
    if SKIP_FORM_WORDS & words_of(urlsplit(form.action).path):
        return True
    chosen = {f.value.lower() for f in form.fields if f.type == "hidden" and f.name == "action"}
    buttons = [f for f in form.fields if f.name and f.type in {"submit", "image"}]
    if buttons:
        chosen.add(buttons[0].value.lower())
    return bool(SKIP_FORM_WORDS & {w for value in chosen for w in words_of(value)})


def _where(filename: str) -> str:
    if filename.startswith(PROJECT_ROOT) and "/.venv/" not in filename:
        return filename[len(PROJECT_ROOT) + 1:]
    return filename.split("site-packages/", 1)[-1]


def _own(frames) -> list:
    return [f for f in frames if f.filename.startswith(PROJECT_ROOT)
            and "/.venv/" not in f.filename and "/tests/" not in f.filename]


def project_frames(exc: BaseException | None, tb=None) -> list[str]:
    """The last frames of the project's own code, then the frame that raised: file:line.

    When the project's code is only in the exception being handled when this one was raised
    (a ValidationError turned into a ValueError by Django's forms), those frames are shown."""
    frames = traceback.extract_tb(tb if tb is not None else exc.__traceback__)
    chosen = (_own(frames) or frames)[-3:]
    if frames and frames[-1] not in chosen:
        chosen.append(frames[-1])
    lines = [f"{_where(f.filename)}:{f.lineno} in {f.name}" for f in chosen]
    cause = exc.__cause__ or exc.__context__ if exc is not None else None
    if cause is not None and not _own(frames):
        own = _own(traceback.extract_tb(cause.__traceback__))[-3:]
        if own:
            lines.append(f"while handling {type(cause).__name__}: {cause}"[:200])
            lines += [f"{_where(f.filename)}:{f.lineno} in {f.name}" for f in own]
    return lines


def pdf_text(data: bytes) -> bytes:
    """The words of a PDF (poppler's pdftotext), or nothing when it is not installed."""
    if not PDFTOTEXT or not data.startswith(b"%PDF"):
        return b""
    done = subprocess.run([PDFTOTEXT, "-q", "-enc", "UTF-8", "-", "-"], input=data,
                          capture_output=True, timeout=60, check=False)
    return done.stdout


def view_of(url: str) -> str:
    try:
        return resolve(urlsplit(url).path)._func_path
    except Resolver404:
        return "(no view)"


@dataclass
class Failure:
    role: str
    method: str
    url: str
    kind: str  # "500", "content-type", "leak", "error"
    detail: str
    frames: list[str] = field(default_factory=list)

    @property
    def known_key(self) -> tuple[str, str]:
        return self.role, f"{self.method} {shape_of(urlsplit(self.url).path)}"

    def render(self) -> str:
        lines = [f"[{self.kind}] {self.role}  {self.method} {self.url}\n    {self.detail}"]
        lines += [f"      at {frame}" for frame in self.frames]
        return "\n".join(lines)


@dataclass
class Guard:
    """What a role must never see: names (whole words) and NIKs."""
    names: set[str] = field(default_factory=set)
    niks: set[str] = field(default_factory=set)
    why: str = ""

    def __post_init__(self):
        names = sorted((n for n in self.names if n), key=len, reverse=True)
        self._name_re = (re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
                         if names else None)
        self._niks = {n.encode() for n in self.niks if n}

    def leaks(self, body: bytes) -> list[str]:
        found = []
        if self._niks:
            found += sorted({m.decode() for m in NIK_RE.findall(body) if m in self._niks})
        if self._name_re is not None:
            text = html.unescape(body.decode("utf-8", "replace"))
            found += sorted(set(self._name_re.findall(text)))
        return found


@dataclass
class RoleResult:
    role: str
    pages: int = 0
    downloads: int = 0
    posts: int = 0
    get_forms: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    broken_links: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Crawler:
    def __init__(self, client: DjangoClient, user, guard: Guard, result: RoleResult,
                 canaries: dict[str, Guard] | None = None) -> None:
        self.canaries = canaries or {}
        self.canary_hits = dict.fromkeys(self.canaries, 0)
        self.client = client
        self.user = user
        self.guard = guard
        self.result = result
        self.role = result.role
        self.errors: list[BaseException | tuple] = []
        self.seen_urls: set[str] = set()
        self.shape_counts: dict[tuple[str, str], int] = {}
        self.seen_forms: set[tuple] = set()
        self.queue: deque[tuple[str, str]] = deque()  # (url, found on)
        self.gets = 0
        self.page = ""
        self.log: list[str] = []  # every request, printed with SMOKE_VERBOSE=1

    # Exceptions reach the signal while still being handled: keep their traceback.
    def on_exception(self, sender, request=None, **kwargs):
        self.errors.append(sys.exc_info())

    def allowed(self, url: str) -> bool:
        if not url.startswith("/") or url.startswith("//"):
            return False
        parts = urlsplit(url)
        if parts.path.startswith(SKIP_PREFIXES):
            return False
        if parts.path.startswith("/django-admin/"):
            # The admin's filter and sort links multiply without end; its pages are enough.
            return self.user.is_staff and not parts.query
        return True

    def enqueue(self, href: str, found_on: str) -> None:
        url = html.unescape(href).split("#", 1)[0].strip()
        if url.startswith("?") and found_on.startswith("/"):  # tabs and pages: href="?tab=new"
            url = urlsplit(found_on).path + url
        if not url or not self.allowed(url) or url in self.seen_urls:
            return
        key = crawl_key(url)
        if self.shape_counts.get(key, 0) >= MAX_PER_SHAPE:
            return
        self.shape_counts[key] = self.shape_counts.get(key, 0) + 1
        self.seen_urls.add(url)
        self.queue.append((url, found_on))

    def request(self, method: str, url: str, data=None, htmx: bool = False):
        headers = {"HX-Request": "true"} if htmx else {}
        self.errors.clear()
        started = len(self.result.failures)
        try:
            if method == "GET":
                response = self.client.get(url, data=data, headers=headers)
            else:
                response = self.client.post(url, data=data or {}, headers=headers)
        except Exception as exc:  # raised outside the handler (middleware of the test client)
            self.result.failures.append(Failure(
                self.role, method, url, "error", f"{type(exc).__name__}: {exc}"[:400],
                project_frames(exc)))
            return None, b""
        self.log.append(f"{response.status_code} {method} {url}")
        if method == "POST" and response.status_code in (403, 404, 405):
            self.result.notes.append(
                f"form answered {response.status_code}: POST {url} (form on {self.page})")
        body = b""
        try:
            if getattr(response, "streaming", False):
                body = b"".join(response.streaming_content)
            else:
                body = response.content
        except Exception as exc:  # a streamed download failing half way
            self.result.failures.append(Failure(
                self.role, method, url, "500", f"streaming: {type(exc).__name__}: {exc}"[:400],
                project_frames(exc)))
        if response.status_code >= 500:
            if self.errors:
                exc_type, exc, tb = self.errors[-1]
                detail = f"{exc_type.__name__}: {exc}".replace("\n", " ")[:400]
                frames = project_frames(exc, tb)
            else:
                detail, frames = f"status {response.status_code} without an exception", []
            frames.insert(0, f"view {view_of(url)}")
            self.result.failures.append(
                Failure(self.role, method, url, "500", detail, frames))
        if len(self.result.failures) == started:
            self.check_leaks(method, url, response, body)
        return response, body

    def check_leaks(self, method: str, url: str, response, body: bytes) -> None:
        text = body
        if response.get("Content-Type", "").startswith(DOWNLOAD_TYPES["xlsx"]):
            try:
                with zipfile.ZipFile(io.BytesIO(body)) as archive:
                    text = b" ".join(archive.read(n) for n in archive.namelist()
                                     if n.endswith(".xml"))
            except zipfile.BadZipFile:
                text = b""
        elif response.get("Content-Type", "").startswith("application/pdf"):
            text = pdf_text(body)
        for role, canary in self.canaries.items():
            if canary.leaks(text):
                self.canary_hits[role] += 1
        found = self.guard.leaks(text)
        if found:
            self.result.failures.append(Failure(
                self.role, method, url, "leak",
                f"shows {self.guard.why}: " + ", ".join(found[:8])
                + (f" (+{len(found) - 8} more)" if len(found) > 8 else "")))

    def relogin_if_needed(self, after: str) -> None:
        if "_auth_user_id" not in self.client.session:
            self.result.notes.append(f"session lost after {after}; logged in again")
            self.client.force_login(self.user)

    def check_download(self, url: str, response) -> None:
        disposition = response.get("Content-Disposition", "")
        match = re.search(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)', disposition)
        name = match.group(1) if match else urlsplit(url).path
        ext = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
        expected = DOWNLOAD_TYPES.get(ext)
        got = response.get("Content-Type", "")
        if response.status_code == 200 and expected and not got.startswith(expected):
            self.result.failures.append(Failure(
                self.role, "GET", url, "content-type",
                f".{ext} download answered Content-Type {got!r}, expected {expected!r}"))

    def run(self) -> None:
        self.enqueue("/", "(start)")
        while self.gets < MAX_REQUESTS:
            if not self.queue:
                # The site does not link Django's admin; the administrator knows its address.
                if not self.user.is_staff or "/django-admin/" in self.seen_urls:
                    break
                self.enqueue("/django-admin/", "(typed by the administrator)")
                continue
            url, found_on = self.queue.popleft()
            self.gets += 1
            htmx = "/status/" in url or "/progress/" in url or "/options/" in url
            response, body = self.request("GET", url, htmx=htmx)
            if response is None:
                continue
            status = response.status_code
            if status in (301, 302, 303, 307, 308):
                location = response.get("Location", "")
                if location.startswith("/accounts/login/"):
                    self.result.broken_links.append(f"{url} -> login (from {found_on})")
                    self.relogin_if_needed(f"GET {url}")
                else:
                    self.enqueue(location, url)
                continue
            if 400 <= status < 500:
                self.result.broken_links.append(f"{status} {url} (from {found_on})")
                continue
            content_type = response.get("Content-Type", "")
            if not content_type.startswith("text/html"):
                self.result.downloads += 1
                self.check_download(url, response)
                continue
            self.result.pages += 1
            if status >= 500:
                continue
            parser = PageParser()
            parser.feed(body.decode(response.charset or "utf-8", "replace"))
            for href in parser.links:
                self.enqueue(href, url)
            for form in parser.forms:
                self.submit(form, url)

    def submit(self, form: Form, page: str) -> None:
        self.page = page
        action = html.unescape(form.action) or page
        if action.startswith("?"):
            action = urlsplit(page).path + action
        if not self.allowed(action):
            return
        key = (form.method, crawl_key(action)[0],
               tuple(sorted({f.name for f in form.fields if f.name and f.type != "hidden"})))
        if key in self.seen_forms:
            return
        self.seen_forms.add(key)
        if form.method == "post":
            if skip_form(form) or self.result.posts + 3 > MAX_POSTS:
                return
            if not form.htmx and not any(f.type in {"submit", "image"} for f in form.fields):
                return  # nothing to press (a wrapper form whose controls this role lacks)
            for mode in ("empty", "junk", "rendered"):
                self.result.posts += 1
                self.request("POST", action, form_payload(form, mode), htmx=form.htmx)
                self.relogin_if_needed(f"POST {action} ({mode})")
        elif form.method == "get":
            base = urlsplit(action).path
            for data in filter_form_requests(form):
                if not data or self.result.get_forms >= MAX_GET_FORMS:
                    return
                self.result.get_forms += 1
                self.request("GET", f"{base}?{urlencode(data, doseq=True)}")


# --- What each role must not see ----------------------------------------------------------

def _people_who_are_not_clients() -> list[str]:
    """Names that may appear on any page (staff, heads of office, partner contacts)."""
    from bapas.models import Office, User
    from partners.models import Partner, PartnerContact

    return [*User.objects.values_list("full_name", flat=True),
            *Office.objects.values_list("head_name", flat=True),
            *Partner.objects.values_list("name", flat=True),
            *PartnerContact.objects.values_list("name", flat=True)]


def guard_for(user) -> Guard:
    """What this demo user must not see, from the data rather than from the views' code.

    A client's name that is also part of a staff member's name ("Sutrisno" and the head of
    office "Dr. Bambang Sutrisno") is left out: finding it would prove nothing."""
    from bapas.models import Role
    from clients.models import Client
    from partners.models import Referral

    clients = list(Client.objects.only("full_name", "nik", "office_id"))
    others = _people_who_are_not_clients()

    def names(chosen, allowed=frozenset()):
        return {name for name in chosen if name not in allowed and not any(
            re.search(rf"\b{re.escape(name)}\b", other) for other in others if other)}

    if user.role == Role.REGIONAL:
        return Guard(names=names(c.full_name for c in clients), niks={c.nik for c in clients},
                     why="personal data to the regional office")
    if user.role == Role.PARTNER:
        visible = Referral.objects.for_partner(user)
        seen = set(visible.values_list("order__client_id", flat=True))
        shared = set(visible.filter(share_nik=True).values_list("order__client_id", flat=True))
        return Guard(
            names=names((c.full_name for c in clients if c.pk not in seen),
                        {c.full_name for c in clients if c.pk in seen}),
            niks={c.nik for c in clients if c.pk not in shared},
            why="clients (or NIKs) not shared with the partner",
        )
    if user.office_id is not None:
        return Guard(
            names=names((c.full_name for c in clients if c.office_id != user.office_id),
                        {c.full_name for c in clients if c.office_id == user.office_id}),
            niks={c.nik for c in clients if c.office_id != user.office_id},
            why="another office's clients",
        )
    return Guard()


RESULTS: dict[str, RoleResult] = {}
# Proof that the leak checks can fail: what another role must not see does appear on the pages
# of these roles (pk1 sees his clients' NIKs and names, the Bondowoso PK sees Bondowoso's).
CANARIES: dict[str, tuple[str, ...]] = {
    "pk1@demo.local": ("pk@bondowoso.demo.local", "dinsos@demo.local", "pokmas@demo.local",
                       "kanwil@demo.local"),
    "pk@bondowoso.demo.local": ("pk1@demo.local", "kabapas@demo.local"),
}
@pytest.fixture(scope="module")
def _summary(_demo):
    """Prints the table of every role's crawl once the module is done (seen with -s)."""
    yield
    if not RESULTS:
        return
    engine = django_settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    out = [f"\nSmoke crawl ({engine}, demo seeded in {_demo.seconds:.1f}s)",
           f"{'role':<26}{'pages':>6}{'files':>6}{'posts':>6}{'gets':>6}{'fail':>6}"
           f"{'4xx':>6}{'secs':>7}"]
    for role, r in RESULTS.items():
        out.append(f"{role:<26}{r.pages:>6}{r.downloads:>6}{r.posts:>6}{r.get_forms:>6}"
                   f"{len(r.failures):>6}{len(r.broken_links):>6}{r.seconds:>7.1f}")
    print("\n".join(out))


@pytest.mark.parametrize("email", ROLE_EMAILS)
def test_demo_role_can_use_every_page_and_form_without_server_errors_or_leaks(
        demo, _summary, email):
    from bapas.models import User

    user = User.objects.get(email=email)
    client = DjangoClient()
    client.raise_request_exception = False
    client.force_login(user)
    result = RoleResult(role=email)
    canaries = {other: guard_for(User.objects.get(email=other))
                for other in CANARIES.get(email, ())}
    crawler = Crawler(client, user, guard_for(user), result, canaries)
    uid = f"smoke-crawl-{email}"
    got_request_exception.connect(crawler.on_exception, dispatch_uid=uid)
    started = time.monotonic()
    try:
        crawler.run()
    finally:
        got_request_exception.disconnect(dispatch_uid=uid)
        result.seconds = time.monotonic() - started
        RESULTS[email] = result

    known = set(KNOWN_500S)
    unexpected = [f for f in result.failures if not (f.kind == "500" and f.known_key in known)]
    expected = [f for f in result.failures if f not in unexpected]
    print(f"\n== {email}: {result.pages} pages, {result.downloads} files, {result.posts} posts, "
          f"{result.get_forms} filter forms, {len(result.failures)} failures, "
          f"{len(result.broken_links)} links answering 4xx, {result.seconds:.1f}s")
    for role, hits in crawler.canary_hits.items():
        print(f"   leak check of {role}: would have fired on {hits} of these responses")
    if os.environ.get("SMOKE_VERBOSE"):
        print("   " + "\n   ".join(crawler.log))
    for line in result.broken_links:
        print(f"   4xx: {line}")
    for line in result.notes:
        print(f"   note: {line}")
    for failure in expected:
        print("   known: " + failure.render())
    seen_known = {f.known_key for f in result.failures}
    for role, shape in KNOWN_500S:
        if role == email and (role, shape) not in seen_known:
            print(f"   KNOWN_500S entry no longer seen (remove it?): {shape}")
    blind = [role for role, hits in crawler.canary_hits.items() if not hits]
    assert not blind, (
        f"the leak check of {', '.join(blind)} found nothing even on {email}'s pages, which "
        "show those clients: it would not notice a leak either")
    assert not unexpected, (
        f"{len(unexpected)} failure(s) for {email}:\n"
        + "\n".join(f.render() for f in unexpected)
    )


def test_leak_check_finds_whole_names_and_niks_only():
    guard = Guard(names={"Misrawi", "Moh. Sahlan"}, niks={"3511010101900001"})
    page = (b"<td>Misrawi</td><td>Moh. Sahlan</td><td>35110101019000011</td>"
            b"<td>3511010101900001</td>")
    assert guard.leaks(page) == ["3511010101900001", "Misrawi", "Moh. Sahlan"]
    assert guard.leaks(b"<td>Misrawiyah</td><td>Moh. Sahlani</td>") == []


def test_filler_sends_rendered_values_empties_and_junk():
    parser = PageParser()
    parser.feed(
        '<form method="post" action="/x/"><input type="hidden" name="csrfmiddlewaretoken" '
        'value="t"><input name="name" value="Ani"><input type="date" name="day" '
        'value="2024-01-02"><input type="number" name="n" value="3"><select name="s">'
        '<option value="">-</option><option value="b" selected>B</option></select>'
        '<textarea name="t">old</textarea><button name="go" value="save">Save</button>'
        '<button name="go" value="other">Other</button></form>')
    form = parser.forms[0]
    assert form_payload(form, "rendered") == {
        "csrfmiddlewaretoken": ["t"], "name": ["Ani"], "day": ["2024-01-02"], "n": ["3"],
        "s": ["b"], "t": ["old"], "go": ["save"]}
    assert form_payload(form, "empty") == {
        "csrfmiddlewaretoken": ["t"], "name": [""], "day": [""], "n": [""], "s": [""],
        "t": [""], "go": ["save"]}
    junk = form_payload(form, "junk")
    assert junk["day"] == [JUNK_DATE] and junk["n"] == [JUNK_NUMBER]
    assert junk["name"] == ["<script>x</script>"] and junk["csrfmiddlewaretoken"] == ["t"]
