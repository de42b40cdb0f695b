"""Authentication controls that tests/bapas/test_auth.py does not already prove: MFA for every
staff role (partner staff included), TOTP codes that cannot be replayed, password reset that
does not skip MFA, rate limits on the production cache (Redis), idle and absolute session
lifetimes at their boundaries, and deactivation of a partner organisation."""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from bapas.middleware import SESSION_STARTED_KEY
from tests.factories.bapas import PASSWORD

STAFF_ROLES = ["pk", "pk2", "other_pk", "operator", "supervisor", "head", "partner",
               "regional", "admin"]


def post_login(client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def current_code(secret: str) -> str:
    """The code of the current 30-second step, with at least 5 seconds of it left (so that a
    test using it twice is not cut by the step ending)."""
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.1)
    counter = int(time.time()) // 30
    return format_hotp_value(hotp_value(secret, counter))


def with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture
def own_file_cache(settings, tmp_path):
    """The default file cache, in a folder of this test's own: the used-code markers and rate
    limits of a test must not be wiped by another test process clearing a shared cache."""
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path / "cache")}}
    yield


# --- MFA -----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_role_without_totp_is_sent_to_set_it_up(settings, login, users, role):
    settings.MFA_REQUIRED = True
    client = login(users[role])
    for name in ("home", "notifications:inbox"):
        response = client.get(reverse(name))
        assert response.status_code == 302, (role, name)
        assert response.url == reverse("mfa_activate_totp"), (role, name)


def test_mfa_required_defaults_to_on_when_debug_is_off():
    """settings.py: MFA_REQUIRED = env_bool("MFA_REQUIRED", not DEBUG); the production run is
    proven in tests/bapas/test_settings.py::test_production_defaults_are_secure."""
    source = (django_settings.BASE_DIR / "bapas" / "settings.py").read_text()
    assert 'MFA_REQUIRED = env_bool("MFA_REQUIRED", not DEBUG)' in source


def test_login_with_totp_asks_for_the_code_before_any_page(own_file_cache, settings, client,
                                                          users):
    settings.MFA_REQUIRED = True
    secret = with_totp(users["supervisor"])
    response = post_login(client, "sup@test.local")
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("clients:caseload")).url.startswith(reverse("account_login"))
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("clients:caseload")).status_code == 200


def _replay(client, users, secret: str):
    code = current_code(secret)
    post_login(client, "sup@test.local")
    first = client.post(reverse("mfa_authenticate"), {"code": code})
    assert first.status_code == 302 and "_auth_user_id" in client.session
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session
    post_login(client, "sup@test.local")
    second = client.post(reverse("mfa_authenticate"), {"code": code})
    return second, code


def test_a_totp_code_cannot_be_used_twice(own_file_cache, settings, client, users):
    settings.MFA_REQUIRED = True
    secret = with_totp(users["supervisor"])
    second, code = _replay(client, users, secret)
    assert second.status_code == 200  # the code form again, with an error
    assert "_auth_user_id" not in client.session
    assert b'name="code"' in second.content
    _forget_use(users["supervisor"], code)
    # the same code, its use forgotten, is accepted: it was refused as a replay, not as wrong
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert "_auth_user_id" in client.session


def _forget_use(user, code: str) -> None:
    from allauth.mfa.models import Authenticator

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    cache.delete(TOTP(authenticator)._get_used_cache_key(code))


def test_password_reset_does_not_skip_mfa(own_file_cache, settings, client, users):
    settings.MFA_REQUIRED = True
    secret = with_totp(users["supervisor"])
    client.post(reverse("account_reset_password"), {"email": "sup@test.local"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/key/" in line)
    path = link[link.index("/accounts/"):].strip()
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    new_password = "An0ther-long-passphrase!"
    done = client.post(form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
                       {"password1": new_password, "password2": new_password})
    assert done.status_code == 302
    # resetting does not log in (ACCOUNT_LOGIN_ON_PASSWORD_RESET is off) ...
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).url.startswith(reverse("account_login"))
    # ... and logging in with the new password still stops at the code
    response = post_login(client, "sup@test.local", new_password)
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert client.get(reverse("home")).status_code == 200


# --- rate limits on the production cache ---------------------------------------------------

def _redis_location() -> str | None:
    """A Redis to test against: the production CACHE_URL when it is redis://, else the usual
    local one (db 9, which nothing else uses); None when no Redis answers."""
    import os

    url = os.environ.get("CACHE_URL", "")
    location = url if url.startswith(("redis://", "rediss://")) else "redis://127.0.0.1:6379/9"
    try:
        import redis

        redis.Redis.from_url(location, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return location


@pytest.fixture
def redis_cache(settings):
    location = _redis_location()
    if location is None:
        pytest.skip("no Redis reachable (set CACHE_URL=redis://… or start redis on "
                    "127.0.0.1:6379): the rate limits were tested on the file cache only")
    # A prefix of this test's own, removed afterwards: never FLUSHDB a Redis others may use.
    prefix = f"bapas-security-test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": location, "KEY_PREFIX": prefix}}
    import redis

    server = redis.Redis.from_url(location)
    yield server, prefix
    for key in server.scan_iter(f"{prefix}*"):
        server.delete(key)


def test_failed_logins_are_rate_limited_on_redis(redis_cache, client, users):
    for _ in range(5):
        post_login(client, "pk@test.local", "wrong-password")
    response = post_login(client, "pk@test.local")
    # even the right password is refused while the limit holds
    assert "_auth_user_id" not in client.session
    assert "Terlalu banyak percobaan masuk yang gagal" in response.content.decode()
    # the limit is in Redis, where every web process shares it
    server, prefix = redis_cache
    assert list(server.scan_iter(f"{prefix}*"))


def test_a_totp_code_cannot_be_used_twice_on_redis(redis_cache, settings, client, users):
    settings.MFA_REQUIRED = True
    secret = with_totp(users["supervisor"])
    second, code = _replay(client, users, secret)
    assert "_auth_user_id" not in client.session
    assert second.status_code == 200
    _forget_use(users["supervisor"], code)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert "_auth_user_id" in client.session


# --- sessions ------------------------------------------------------------------------------

def _session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_each_request_extends_the_idle_timeout_to_thirty_minutes(login, users):
    client = login(users["pk"])
    client.get(reverse("home"))
    remaining = _session(client).expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


def test_session_idle_for_more_than_thirty_minutes_is_rejected(login, users):
    client = login(users["pk"])
    assert client.get(reverse("home")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("clients:caseload"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_session_within_twelve_hours_is_kept_and_ends_after(login, users):
    client = login(users["pk"])
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - (12 * 60 * 60 - 60)
    session.save()
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - (12 * 60 * 60 + 60)
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_session_cookie_ends_with_the_browser(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.ACCOUNT_SESSION_REMEMBER is False


def test_staff_of_a_deactivated_partner_lose_the_portal_at_once(login, users, partner):
    client = login(users["partner"])
    assert client.get(reverse("partners:portal")).status_code == 200
    partner.is_active = False
    partner.save()
    assert client.get(reverse("partners:portal")).status_code == 404


# --- password reset ------------------------------------------------------------------------

def test_password_reset_page_is_the_same_for_known_and_unknown_addresses(client, users):
    known = client.post(reverse("account_reset_password"), {"email": "pk@test.local"},
                        follow=True)
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@test.local"},
                          follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert known.status_code == unknown.status_code == 200

    def visible(response) -> str:
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return text.replace("pk@test.local", "X").replace("nobody@test.local", "X")

    assert visible(known).split("<main")[-1] == visible(unknown).split("<main")[-1]
