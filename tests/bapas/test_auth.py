"""Login, no sign-up, password reset, MFA enforcement, rate limits and session lifetime."""

import time

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from bapas.middleware import SESSION_STARTED_KEY
from tests.factories.bapas import PASSWORD


def post_login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_login_with_email_and_password_reaches_home(client, users):
    response = post_login(client, "pk@test.local", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_shows_clear_message(client, users):
    response = post_login(client, "pk@test.local", "wrong-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    content = response.content.decode()
    assert "alert-danger" in content
    assert "kata sandi yang anda masukkan tidak benar" in content.lower()
    assert 'value="pk@test.local"' in content  # what was typed is kept


def test_public_signup_is_closed(client, db):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert b"signup_closed" in response.content or b"ditutup" in response.content.lower()
    response = client.post(reverse("account_signup"), {
        "email": "new@test.local", "password1": "Xy7!long-pass", "password2": "Xy7!long-pass"})
    from bapas.models import User

    assert not User.objects.filter(email="new@test.local").exists()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_failed_logins_are_rate_limited(client, users):
    for _ in range(5):
        post_login(client, "pk@test.local", "wrong-password")
    response = post_login(client, "pk@test.local", PASSWORD)
    # even the right password is refused while the limit holds, with a clear message
    assert "Terlalu banyak percobaan masuk yang gagal" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_does_not_reveal_whether_email_exists(client, users):
    known = client.post(reverse("account_reset_password"), {"email": "pk@test.local"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@test.local"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    # the known address gets the link; the unknown one a neutral notice, never an error page
    assert len(mail.outbox) == 2
    assert "pk@test.local" in mail.outbox[0].to


def test_user_without_mfa_is_sent_to_set_it_up_when_required(settings, client, users):
    settings.MFA_REQUIRED = True
    post_login(client, "pk@test.local", PASSWORD)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    # allauth asks for the password once more before a security change, then shows the set-up
    reauth = client.get(reverse("mfa_activate_totp"))
    assert reauth.status_code == 302 and "reauthenticate" in reauth.url
    assert client.post(reauth.url, {"password": PASSWORD}).status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert b'name="code"' in page.content
    # and every other page keeps sending the user back there
    assert client.get(reverse("users")).url == reverse("mfa_activate_totp")


def test_user_with_totp_passes_when_mfa_required(settings, login, users):
    settings.MFA_REQUIRED = True
    Authenticator.objects.create(user=users["pk"], type=Authenticator.Type.TOTP,
                                 data={"secret": "JBSWY3DPEHPK3PXP"})
    client = login(users["pk"])
    assert client.get(reverse("home")).status_code == 200


def test_mfa_not_enforced_when_switched_off(settings, login, users):
    settings.MFA_REQUIRED = False
    assert login(users["pk"]).get(reverse("home")).status_code == 200


def test_session_idle_timeout_is_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_session_ends_after_absolute_lifetime(login, users):
    client = login(users["pk"])
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - 13 * 60 * 60
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_deactivated_account_is_logged_out_at_once(login, users):
    client = login(users["pk"])
    assert client.get(reverse("home")).status_code == 200
    users["pk"].is_active = False
    users["pk"].save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


@pytest.mark.parametrize("language,text", [("id", "Masuk"), ("en", "Sign In")])
def test_login_page_in_both_languages(client, db, language, text):
    client.cookies["django_language"] = language
    response = client.get(reverse("account_login"))
    assert text in response.content.decode()


def test_login_updates_last_login_without_a_history_row(client, users):
    before = users["pk"].history.count()
    post_login(client, "pk@test.local", PASSWORD)
    users["pk"].refresh_from_db()
    assert users["pk"].last_login is not None
    assert users["pk"].history.count() == before
