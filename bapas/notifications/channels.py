"""Channels deliver one notification: in-app (nothing to do), email, WhatsApp, SMS.

``deliver(notification)`` returns the provider's message id or raises ``TransientError`` /
``PermanentError`` from ``gateways``. Whether a message may go out at all (consent, an active
recipient) is decided by the engine before a channel is called.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import NoReverseMatch

from .gateways import PermanentError, TransientError, gateway_for
from .models import Channel, Notification, NotificationPreference


def deliver_in_app(notification: Notification) -> str:
    return ""  # the inbox reads the row itself


def deliver_email(notification: Notification) -> str:
    user = notification.recipient
    if user is None or not user.email:
        raise PermanentError("no email address")
    body = notification.body
    url = absolute_link(notification)
    if url:
        body = f"{body}\n\n{url}"
    domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    # A stable Message-ID: if a resend ever happens after a lost worker, mail clients and
    # servers see the same message twice and show it once.
    message_id = f"<notification-{notification.pk}@{domain}>"
    message = EmailMessage(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{notification.subject}",
        body=body,
        to=[user.email],
        headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"},
    )
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentError(f"email refused: {exc.recipients}") from None
    except smtplib.SMTPResponseException as exc:
        text = f"SMTP {exc.smtp_code} {exc.smtp_error!r}"
        if 500 <= exc.smtp_code < 600:
            raise PermanentError(text) from None
        raise TransientError(text) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientError(f"email: {exc.__class__.__name__}: {exc}") from None
    return message_id


def _deliver_by_gateway(channel: str) -> Callable[[Notification], str]:
    def deliver(notification: Notification) -> str:
        gateway = gateway_for(channel)
        if gateway is None:
            raise PermanentError(f"no {channel} gateway is configured")
        to = notification.recipient_phone
        if not to and notification.recipient_id:
            to = preference_for(notification.recipient).whatsapp_target()
        if not to:
            raise PermanentError("no phone number")
        template = getattr(settings, f"{channel.upper()}_MESSAGE_TEMPLATE", "") or "{message}"
        text = render_template(template, notification)
        return gateway.send(to, text, idempotency_key=notification.unique_key)

    return deliver


CHANNELS: dict[str, Callable[[Notification], str]] = {
    Channel.IN_APP: deliver_in_app,
    Channel.EMAIL: deliver_email,
    Channel.WHATSAPP: _deliver_by_gateway(Channel.WHATSAPP),
    Channel.SMS: _deliver_by_gateway(Channel.SMS),
}


def available(channel: str) -> bool:
    """Is the channel switched on in this deployment?"""
    if channel in {Channel.WHATSAPP, Channel.SMS}:
        return gateway_for(channel) is not None
    return channel in CHANNELS


def deliver(notification: Notification) -> str:
    return CHANNELS[notification.channel](notification)


def preference_for(user) -> NotificationPreference:
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user, language=settings.LANGUAGE_CODE)


def absolute_link(notification: Notification) -> str:
    path = notification.link
    if not path and notification.content_type_id:
        about = notification.about
        try:
            path = about.get_absolute_url() if hasattr(about, "get_absolute_url") else ""
        except NoReverseMatch:  # that app has not published the page yet
            path = ""
    return f"{settings.SITE_URL}{path}" if path.startswith("/") else ""


class _Defaulting(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_template(template: str, notification: Notification) -> str:
    """Fill WHATSAPP_MESSAGE_TEMPLATE: {message} (subject and body), {subject}, {body}, {link}."""
    values = _Defaulting(
        message=notification.text,
        subject=notification.subject,
        body=notification.body,
        link=absolute_link(notification),
    )
    try:
        return template.format_map(values).strip()
    except (ValueError, IndexError):  # a stray brace in the template: send the plain text
        return notification.text
