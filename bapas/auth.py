"""django-allauth integration: no public sign-up, invitations to set a password."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts are created by administrators and supervisors only.
        return False


def set_password_url(user) -> str:
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key.split("-", 1)[1]},
    )
    return f"{settings.SITE_URL}{path}"


def send_invitation(user, *, invited_by) -> None:
    """Email a new account holder a link to choose their own password."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {"user": user, "invited_by": invited_by, "url": set_password_url(user)}
        subject = render_to_string("account/email/invitation_subject.txt", context).strip()
        body = render_to_string("account/email/invitation_message.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
