"""Every URL of the site, asked for by every role, answers what the allow-list declares.

The allow-list is ``route_matrix.py``. A URL pattern without an entry fails
``test_every_route_is_declared``; an entry whose pattern no longer exists fails too, so the
list stays the truth. The requests use real objects of the demo data (pk1's client referred
to Dinas Sosial, its order, documents, reports, the office's meetings...) and run one test per
role, so a failure lists every route where that role got the wrong answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import ROLES
from .route_matrix import GROUPS, LOGIN, REDIRECT, ROUTES


@dataclass(frozen=True)
class Pattern:
    key: str  # "ns:name", or the route text for an unnamed pattern
    route: str
    module: str
    namespace: str
    converters: tuple[str, ...]


def _walk(patterns, prefix: str = "", namespace: str = "", converters: tuple = ()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), full_ns,
                             converters + tuple(entry.pattern.converters))
        elif isinstance(entry, URLPattern):
            callback = entry.callback
            module = getattr(callback, "__module__", "") or ""
            wrapped = getattr(callback, "view_class", None)
            if wrapped is not None:
                module = wrapped.__module__
            route = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Pattern(key=name or route, route=route, module=module, namespace=namespace,
                          converters=converters + tuple(entry.pattern.converters))


def project_patterns() -> list[Pattern]:
    return list(_walk(get_resolver().url_patterns))


def group_of(pattern: Pattern) -> str | None:
    if pattern.namespace == "admin" or pattern.route.startswith("django-admin/"):
        return "admin"
    if pattern.module.startswith(GROUPS["allauth"][0]):
        return "allauth"
    return None


# --- declaration ---------------------------------------------------------------------------

def test_every_route_is_declared():
    patterns = project_patterns()
    undeclared = sorted(
        f"{p.key}  ({p.route}, view in {p.module})"
        for p in patterns if group_of(p) is None and p.key not in ROUTES
    )
    assert not undeclared, (
        "URL patterns with no entry in tests/security/route_matrix.py (declare who may open "
        "them):\n  " + "\n  ".join(undeclared)
    )


def test_every_declared_route_exists():
    keys = {p.key for p in project_patterns()}
    stale = sorted(key for key, route in ROUTES.items() if key not in keys and not route.optional)
    assert not stale, f"entries in route_matrix.py for URL patterns that no longer exist: {stale}"


def test_declared_arguments_match_the_patterns():
    wrong = []
    for pattern in project_patterns():
        route = ROUTES.get(pattern.key)
        if route is None:
            continue
        needed = set(pattern.converters)
        if set(route.args) != needed:
            wrong.append(f"{pattern.key}: pattern needs {sorted(needed)}, entry gives "
                         f"{sorted(route.args)}")
    assert not wrong, "\n".join(wrong)


# --- requests ------------------------------------------------------------------------------

def _table_fingerprint_sql() -> str:
    skipped = {"django_session", "bapas_accesslog"}
    tables = sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)
                     if m._meta.managed and not m._meta.proxy} - skipped)
    quote = connection.ops.quote_name
    # The table names come from the models and are quoted by the backend: no outside input.
    counts = [f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables]  # noqa: S608 (model tables)
    return "SELECT " + ", ".join(counts)


def fingerprint(sql: str) -> tuple:
    """Row counts of every table but sessions and the access log. History tables take a row
    on every change of a tracked model, so an update shows here too."""
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def outcome(response) -> object:
    if response.status_code == 302:
        login = reverse("account_login")
        return LOGIN if response["Location"].split("?")[0] == login else REDIRECT
    return response.status_code


def _matches(expected, got) -> bool:
    if isinstance(expected, tuple | set | frozenset):
        return got in expected
    return got == expected


REFUSED = {403, 404, 405, LOGIN}


def url_for(key: str, route, demo) -> str:
    kwargs = {name: demo.ids[source] for name, source in route.args.items()}
    return reverse(key, kwargs=kwargs) if ":" in key or key.isidentifier() else "/" + key


def ask(client: Client, method: str, url: str, fingerprint_sql: str | None):
    """One request inside a savepoint rolled back afterwards, so requests cannot disturb each
    other; returns the outcome and whether any table changed."""
    changed = False
    with transaction.atomic():
        before = fingerprint(fingerprint_sql) if fingerprint_sql else None
        response = client.get(url) if method == "GET" else client.post(url, {})
        if fingerprint_sql:
            changed = fingerprint(fingerprint_sql) != before
        transaction.set_rollback(True)
    return outcome(response), changed


def run_role(role: str, demo, keys=None) -> list[str]:
    client = Client(raise_request_exception=False)  # a server error is an answer (500)
    user = demo.users.get(role)
    sql = _table_fingerprint_sql()
    cookie = settings.SESSION_COOKIE_NAME
    failures = []
    present = {p.key for p in project_patterns()}
    session_key = None
    for key, route in sorted(ROUTES.items()):
        if key not in present or (keys and key not in keys):
            continue
        url = url_for(key, route, demo)
        for method, expected_by_role in (("GET", route.get), ("POST", route.post or route.get)):
            if (method, role) in route.known:
                continue  # a known defect, proven by its own (xfail) test
            expected = expected_by_role[role]
            # Every request starts from a fresh login: a logout or a rotated session key of
            # the previous request was rolled back with its savepoint.
            if user is None:
                client.cookies.clear()
            elif cookie not in client.cookies or client.cookies[cookie].value != session_key:
                client.cookies.clear()
                client.force_login(user)
                session_key = client.cookies[cookie].value
            refused = not isinstance(expected, tuple) and expected in REFUSED
            got, changed = ask(client, method, url, sql if method == "POST" and refused else None)
            if not _matches(expected, got):
                failures.append(f"{method} {key} ({url}) as {role}: got {got}, "
                                f"expected {expected}")
            elif changed:
                failures.append(f"{method} {key} ({url}) as {role}: refused with {got} but "
                                f"changed data")
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_each_route_answers_each_role_as_declared(role, demo):
    failures = run_role(role, demo)
    assert not failures, f"{len(failures)} wrong answers for {role}:\n  " + "\n  ".join(failures)


def test_known_defects_name_their_test():
    for key, route in ROUTES.items():
        for (method, role), text in route.known.items():
            assert method in {"GET", "POST"} and role in ROLES, key
            assert "test_" in text, f"{key}: name the xfail test proving the defect"


# --- defects the matrix found, fixed: their own tests keep them fixed ---------------------

def test_empty_decision_before_the_hearing_is_a_form_error(demo):
    client = Client(raise_request_exception=False)
    client.force_login(demo.users["supervisor"])
    url = reverse("meetings:decide_revocation",
                  kwargs={"pk": demo["tpp_meeting"], "proposal_pk": demo["proposal"]})
    response = client.post(url, {})
    assert response.status_code == 200
    form = response.context["form"]
    assert {"approve", "reason"} <= set(form.errors)  # the fields the decision needs
    assert form.non_field_errors()  # and why it cannot be recorded yet


def test_admin_cannot_withdraw_client_consent(demo):
    from bapas.notifications.models import ClientMessageConsent

    client = Client(raise_request_exception=False)
    client.force_login(demo.users["admin"])
    url = reverse("clients:consent_withdraw",
                  kwargs={"client_pk": demo["client"], "consent_pk": demo["consent"]})
    response = client.post(url, {})
    assert response.status_code == 403
    assert ClientMessageConsent.objects.get(pk=demo["consent"]).withdrawn_at is None


# --- the grouped patterns: allauth and Django's admin --------------------------------------

# allauth pages that need a logged-in user; the others (login, reset, sign-up closed...) are
# for anonymous visitors.
ALLAUTH_LOGIN_REQUIRED = {
    "account_email", "account_change_password", "account_set_password",
    "account_reauthenticate", "mfa_index", "mfa_reauthenticate", "mfa_activate_totp",
    "mfa_deactivate_totp", "mfa_view_recovery_codes", "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
}
DUMMY_ARGS = {"key": "x" * 20, "uidb36": "zz"}


def _allauth_url(pattern: Pattern) -> str:
    kwargs = {name: DUMMY_ARGS.get(name, "1") for name in pattern.converters}
    if not kwargs:
        # Regex patterns (confirm-email, reset key) expose their groups through the resolver.
        groups = get_resolver().reverse_dict.getlist(pattern.key)
        names = groups[0][0][0][1] if groups else []
        kwargs = {name: DUMMY_ARGS.get(name, "1") for name in names}
    return reverse(pattern.key, kwargs=kwargs)


def test_allauth_pages_answer_anonymous_visitors_without_errors(db):
    client = Client(raise_request_exception=False)
    wrong = []
    allauth = [p for p in project_patterns() if group_of(p) == "allauth"]
    assert {"account_login", "account_reset_password", "mfa_authenticate"} <= {
        p.key for p in allauth}
    for pattern in allauth:
        url = _allauth_url(pattern)
        got = outcome(client.get(url))
        if pattern.key in ALLAUTH_LOGIN_REQUIRED:
            if got != LOGIN:
                wrong.append(f"{pattern.key} ({url}): {got}, expected the login page")
        elif got not in {200, REDIRECT, LOGIN, 404}:
            wrong.append(f"{pattern.key} ({url}): {got}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_django_admin_is_refused_to_every_role_but_the_administrator(role, demo):
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(demo.users[role])
    admin_login = reverse("admin:login")
    for name in ("admin:index", "admin:bapas_accesslog_changelist", "admin:bapas_user_changelist"):
        response = client.get(reverse(name))
        if role == "admin":
            assert response.status_code == 200, name
        else:
            assert response.status_code == 302, (name, response.status_code)
            assert response["Location"].startswith(admin_login), name
