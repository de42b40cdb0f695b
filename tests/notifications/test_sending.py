"""Sending: gateways against a real local HTTP server, retries, claims, consent, email."""

from __future__ import annotations

import smtplib
import socket
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from bapas.notifications import engine
from bapas.notifications.gateways import (
    FonnteGateway,
    GenericWebhookGateway,
    PermanentError,
    TransientError,
)
from bapas.notifications.models import (
    Channel,
    ClientMessageConsent,
    Notification,
    NotificationPreference,
    Status,
)
from bapas.notifications.services import notify
from bapas.notifications.tasks import dispatch_due, send_notification
from tests.notifications.conftest import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def consent(own_client, users):
    return ClientMessageConsent.objects.create(
        client=own_client, phone="0812-3456-7890", recorded_by=users["pk"]
    )


def client_message(consent, channel=Channel.WHATSAPP, **fields) -> Notification:
    draft = engine.Draft(
        kind="test.client",
        channel=channel,
        due_at=timezone.now(),
        subject="Pengingat",
        body="Besok wajib lapor pukul 09.00.",
        phone=consent.phone,
        consent_id=consent.pk,
        **fields,
    )
    engine.ensure([draft])
    return Notification.objects.get(unique_key=draft.key())


def staff_email(user) -> Notification:
    draft = engine.Draft(
        kind="test.staff",
        channel=Channel.EMAIL,
        due_at=timezone.now(),
        subject="Kontak terlewat",
        body="Lihat kasus.",
        recipient=user,
        link="/clients/",
    )
    engine.ensure([draft])
    return Notification.objects.get(unique_key=draft.key())


# --- Gateways on the wire ----------------------------------------------------------------------


def test_webhook_posts_json_with_bearer_token_and_marks_sent(whatsapp_webhook, consent):
    notification = client_message(consent)
    send_notification.delay(notification.pk)

    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert notification.provider_message_id == "msg-1"
    assert notification.attempts == 1 and notification.sent_at is not None
    [request] = whatsapp_webhook.received
    assert request.headers["Authorization"] == "Bearer secret-token"
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == {
        "to": "6281234567890",
        "message": "Pengingat\n\nBesok wajib lapor pukul 09.00.",
        "idempotency_key": notification.unique_key,
    }


def test_server_error_is_retried_then_recorded_as_failed(whatsapp_webhook, consent):
    whatsapp_webhook.default = Reply(status=500, body={"error": "down"})
    notification = client_message(consent)
    send_notification.delay(notification.pk)  # eager: every retry runs now

    notification.refresh_from_db()
    assert len(whatsapp_webhook.received) == engine.MAX_ATTEMPTS == 6
    assert notification.status == Status.FAILED
    assert notification.attempts == 6
    assert "HTTP 500" in notification.error and "gave up after 6 attempts" in notification.error
    assert "secret-token" not in notification.error


def test_timeout_is_retried_then_recorded_as_failed(whatsapp_webhook, consent):
    whatsapp_webhook.default = Reply(delay=0.8)  # longer than the 0.3 s timeout
    notification = client_message(consent)
    send_notification.delay(notification.pk)

    notification.refresh_from_db()
    assert len(whatsapp_webhook.received) == 6
    assert notification.status == Status.FAILED
    assert "no answer within 0.3 s" in notification.error


def test_a_retry_that_succeeds_ends_sent(whatsapp_webhook, consent):
    whatsapp_webhook.replies = [Reply(status=503), Reply(status=429), Reply(body={"id": "ok-3"})]
    notification = client_message(consent)
    send_notification.delay(notification.pk)

    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert notification.attempts == 3
    assert notification.provider_message_id == "ok-3"
    assert notification.error == ""


def test_client_error_fails_at_once_without_retrying(whatsapp_webhook, consent):
    whatsapp_webhook.default = Reply(status=400, body={"error": "invalid number"})
    notification = client_message(consent)
    send_notification.delay(notification.pk)

    notification.refresh_from_db()
    assert len(whatsapp_webhook.received) == 1
    assert notification.status == Status.FAILED and notification.attempts == 1
    assert "HTTP 400" in notification.error and "invalid number" in notification.error


def test_transient_failure_leaves_the_row_pending_with_a_later_attempt(whatsapp_webhook, consent):
    whatsapp_webhook.default = Reply(status=502)
    notification = client_message(consent)
    before = timezone.now()
    assert engine.deliver(notification.pk, token="t1") == engine.Outcome.RETRY

    notification.refresh_from_db()
    assert notification.status == Status.PENDING
    assert notification.next_attempt_at >= before + timedelta(seconds=30)
    assert notification.claim_token == ""


def test_unreachable_gateway_is_a_transient_error():
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransientError, match="cannot connect"):
        GenericWebhookGateway(f"http://127.0.0.1:{port}/send", "t", timeout=1).send("62812", "hi")


def test_fonnte_sends_form_fields_with_the_token_header(gateway_server):
    gateway_server.default = Reply(
        body={"status": True, "id": ["80367170"], "detail": "success! message in queue"}
    )
    gateway = FonnteGateway(gateway_server.url, "fonnte-token", timeout=2)
    assert gateway.send("6281234567890", "Halo") == "80367170"

    [request] = gateway_server.received
    assert request.headers["Authorization"] == "fonnte-token"
    assert parse_qs(request.body.decode()) == {"target": ["6281234567890"], "message": ["Halo"]}


def test_fonnte_refusal_is_permanent(gateway_server):
    gateway_server.default = Reply(body={"status": False, "reason": "invalid token"})
    with pytest.raises(PermanentError, match="invalid token"):
        FonnteGateway(gateway_server.url, "bad", timeout=2).send("628123", "Halo")


def test_fonnte_configured_by_settings_fails_a_refused_message(settings, gateway_server, consent):
    settings.WHATSAPP_GATEWAY = "fonnte"
    settings.WHATSAPP_GATEWAY_URL = gateway_server.url
    settings.WHATSAPP_GATEWAY_TOKEN = "fonnte-token"
    gateway_server.default = Reply(body={"status": False, "reason": "target invalid"})
    notification = client_message(consent)
    send_notification.delay(notification.pk)

    notification.refresh_from_db()
    assert notification.status == Status.FAILED
    assert notification.error == "fonnte: target invalid"
    assert len(gateway_server.received) == 1


def test_message_template_wraps_the_text(settings, whatsapp_webhook, consent):
    settings.WHATSAPP_MESSAGE_TEMPLATE = "[Bapas Jember] {subject}: {body} {unknown}"
    send_notification.delay(client_message(consent).pk)
    assert whatsapp_webhook.received[0].json()["message"] == (
        "[Bapas Jember] Pengingat: Besok wajib lapor pukul 09.00. {unknown}"
    )


# --- Exactly one send ---------------------------------------------------------------------------


def test_claim_prevents_a_second_worker_from_sending(whatsapp_webhook, consent):
    notification = client_message(consent)
    assert engine.claim(notification.pk, "worker-a") is True
    assert engine.claim(notification.pk, "worker-b") is False
    assert engine.deliver(notification.pk, token="worker-b") == engine.Outcome.SKIPPED
    assert whatsapp_webhook.received == []

    assert engine.deliver(notification.pk, token="worker-a") == engine.Outcome.SENT
    assert engine.deliver(notification.pk, token="worker-a") == engine.Outcome.SKIPPED
    send_notification.delay(notification.pk)
    assert len(whatsapp_webhook.received) == 1


def test_redelivered_task_finishes_the_send_its_dead_worker_claimed(whatsapp_webhook, consent):
    notification = client_message(consent)
    engine.claim(notification.pk, "task-1")  # the worker died right after claiming
    assert engine.deliver(notification.pk, token="task-1") == engine.Outcome.SENT
    assert len(whatsapp_webhook.received) == 1


def test_expired_claim_is_released_by_dispatch(whatsapp_webhook, consent, clock):
    clock.set(timezone.now())
    notification = client_message(consent)
    engine.claim(notification.pk, "lost-task")
    assert engine.due_for_sending() == []  # still within the lease: nobody touches it

    clock.set(clock.moment + engine.claim_lease() + timedelta(seconds=1))
    assert dispatch_due() == 1
    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert notification.attempts == 2
    assert len(whatsapp_webhook.received) == 1


def test_dispatch_does_not_queue_a_recently_queued_send_again(consent, clock):
    clock.set(timezone.now())
    notification = client_message(consent)
    assert engine.due_for_sending() == [notification.pk]
    assert engine.due_for_sending() == []
    clock.set(clock.moment + engine.REQUEUE_AFTER + timedelta(seconds=1))
    assert engine.due_for_sending() == [notification.pk]


def test_pending_in_app_notification_is_delivered_when_due(users, clock):
    clock.set(timezone.now())
    draft = engine.Draft(
        kind="test",
        channel=Channel.IN_APP,
        subject="Later",
        due_at=clock.moment + timedelta(hours=1),
        recipient=users["pk"],
    )
    engine.ensure([draft])
    notification = Notification.objects.get()
    assert notification.status == Status.PENDING
    clock.set(clock.moment + timedelta(hours=1))
    assert engine.due_for_sending() == []
    notification.refresh_from_db()
    assert notification.status == Status.SENT


# --- Consent and recipients at sending time -------------------------------------------------------


def test_withdrawn_consent_cancels_instead_of_sending(whatsapp_webhook, consent):
    notification = client_message(consent)
    consent.withdrawn_at = timezone.now()
    consent.save()
    send_notification.delay(notification.pk)

    notification.refresh_from_db()
    assert notification.status == Status.CANCELLED
    assert notification.cancel_reason == "no current consent for this number"
    assert whatsapp_webhook.received == []


def test_consent_record_accepts_only_a_number_the_client_gave(own_client, users):
    from django.core.exceptions import ValidationError

    from bapas.notifications.services import consent_record

    with pytest.raises(ValidationError) as excinfo:
        consent_record(client=own_client, phone="0899-0000-1111", method="written", by=users["pk"])
    assert "phone" in excinfo.value.message_dict
    consent = consent_record(
        client=own_client, phone="+62 812 3456 7890", method="written", by=users["pk"]
    )
    assert consent.phone == "6281234567890"
    again = consent_record(
        client=own_client, phone="0812 3456 7890", method="written", by=users["pk"]
    )
    assert again.pk == consent.pk
    assert consent.history.first().history_user == users["pk"]


def test_deactivated_user_is_not_emailed(users):
    notification = staff_email(users["pk"])
    users["pk"].is_active = False
    users["pk"].save()
    send_notification.delay(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Status.CANCELLED
    assert mail.outbox == []


# --- Email --------------------------------------------------------------------------------------


def test_email_is_sent_with_a_link_and_a_stable_message_id(users):
    notification = staff_email(users["pk"])
    send_notification.delay(notification.pk)
    [message] = mail.outbox
    assert message.to == [users["pk"].email]
    assert message.subject == "[Bapas] Kontak terlewat"
    assert message.body == "Lihat kasus.\n\nhttps://bapas.test/clients/"
    assert message.extra_headers["Message-ID"] == f"<notification-{notification.pk}@bapas.test>"
    notification.refresh_from_db()
    assert notification.status == Status.SENT


class FlakySmtp(BaseEmailBackend):
    errors: list[Exception] = []

    def send_messages(self, messages):
        if FlakySmtp.errors:
            raise FlakySmtp.errors.pop(0)
        mail.outbox.extend(messages)
        return len(messages)


def test_smtp_disconnect_is_retried(settings, users):
    settings.EMAIL_BACKEND = "tests.notifications.test_sending.FlakySmtp"
    FlakySmtp.errors = [smtplib.SMTPServerDisconnected("gone"), TimeoutError("slow")]
    notification = staff_email(users["pk"])
    send_notification.delay(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Status.SENT and notification.attempts == 3
    assert len(mail.outbox) == 1


def test_refused_recipient_fails_at_once(settings, users):
    settings.EMAIL_BACKEND = "tests.notifications.test_sending.FlakySmtp"
    FlakySmtp.errors = [smtplib.SMTPRecipientsRefused({"x@y": (550, b"no such user")})]
    notification = staff_email(users["pk"])
    send_notification.delay(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Status.FAILED and notification.attempts == 1
    assert "refused" in notification.error


# --- notify() for event-driven messages --------------------------------------------------------


def test_notify_twice_creates_once_and_sends_after_commit(
    users, own_order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(
            recipient=users["pk"],
            kind="reports.ready",
            obj=own_order,
            subject="Report ready",
            body="Your report can be downloaded.",
        )
        second = notify(
            recipient=users["pk"],
            kind="reports.ready",
            obj=own_order,
            subject="Report ready",
            body="Your report can be downloaded.",
        )
    assert {n.pk for n in first} == {n.pk for n in second}
    assert {n.channel for n in first} == {Channel.IN_APP, Channel.EMAIL}
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 1


def test_notify_renders_in_the_recipients_language_and_channels(users, own_order, whatsapp_webhook):
    from django.utils.translation import gettext_lazy

    users["pk"].phone = "0813 1111 2222"
    users["pk"].save()
    NotificationPreference.objects.create(
        user=users["pk"], language="en", email=False, whatsapp=True
    )
    created = notify(
        recipient=users["pk"],
        kind="partners.referral_changed",
        obj=own_order,
        subject=gettext_lazy("Notifications"),
        body=lambda: "changed",
        dedupe="accepted",
    )
    assert {(n.channel, n.subject, n.language) for n in created} == {
        (Channel.IN_APP, "Notifications", "en"),
        (Channel.WHATSAPP, "Notifications", "en"),
    }
    assert all(n.unique_key.endswith("|accepted") for n in created)
    whatsapp = next(n for n in created if n.channel == Channel.WHATSAPP)
    send_notification.delay(whatsapp.pk)
    assert whatsapp_webhook.received[0].json()["to"] == "6281311112222"


def test_notify_limited_to_channels(users, own_order):
    created = notify(
        recipient=users["pk"], kind="x", obj=own_order, subject="s", channels=[Channel.IN_APP]
    )
    assert [n.channel for n in created] == [Channel.IN_APP]


def test_send_task_is_declared_for_late_ack_and_worker_loss():
    assert send_notification.acks_late is True
    assert send_notification.reject_on_worker_lost is True
    assert send_notification.max_retries == 5
    assert [engine.retry_delay(n) for n in range(1, 7)] == [30, 60, 120, 240, 480, 900]


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("812 3456 7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("12345", ""),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised_for_gateways(raw, expected):
    from bapas.notifications.models import normalise_phone

    assert normalise_phone(raw) == expected
