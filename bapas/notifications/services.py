"""Writes of the notification engine that other code calls.

``notify`` is for event-driven messages (a referral changed, a report is ready); periodic
reminders come from the rules in each app's ``reminders.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from . import engine
from .models import Channel, ClientMessageConsent, Notification, Status, normalise_phone

Text = str | Promise | Callable[[], str]


def _render(value: Text) -> str:
    return str(value() if callable(value) else value)


def notify(
    *,
    recipient,
    kind: str,
    obj: models.Model | None,
    subject: Text,
    body: Text = "",
    channels: Iterable[str] | None = None,
    due_at: datetime | None = None,
    link: str = "",
    dedupe: str = "",
) -> list[Notification]:
    """Tell one staff member something, on the channels they chose (limited to ``channels``).

    ``subject`` and ``body`` may be lazy strings or callables; they are rendered in the
    recipient's language. Calling it twice with the same kind, object, day and recipient creates
    nothing new (pass ``dedupe``, e.g. the new status, for events that can repeat on one day).
    Messages due now are queued when the surrounding transaction commits.
    """
    due_at = due_at or timezone.now()
    preference = engine.preferences_for([recipient])[recipient.pk]
    drafts = engine.user_drafts(
        user=recipient,
        preference=preference,
        kind=kind,
        about=obj,
        due_at=due_at,
        render=lambda: (_render(subject), _render(body)),
        channels=channels,
        link=link,
        dedupe=dedupe,
    )
    if not drafts:
        return []
    engine.ensure(drafts)
    created = list(Notification.objects.filter(unique_key__in=[d.key() for d in drafts]))
    to_send = [
        n.pk
        for n in created
        if n.status == Status.PENDING and n.channel != Channel.IN_APP and n.due_at <= timezone.now()
    ]
    if to_send:
        transaction.on_commit(lambda: _queue(to_send))
    return created


def _queue(ids: list[int]) -> None:
    from .tasks import send_notification

    now = timezone.now()
    Notification.objects.filter(pk__in=ids).update(queued_at=now)
    for notification_id in ids:
        send_notification.delay(notification_id)


def notification_retry(*, notification: Notification, by) -> Notification:
    """An administrator sends a failed notification again (from the first attempt)."""
    if notification.status != Status.FAILED:
        raise ValidationError(_("Only a failed notification can be sent again."))
    now = timezone.now()
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk, status=Status.FAILED).update(
            status=Status.PENDING,
            attempts=0,
            error="",
            next_attempt_at=now,
            queued_at=now,
            claim_token="",
        )
        if not updated:
            raise ValidationError(_("Only a failed notification can be sent again."))
        transaction.on_commit(lambda: _queue([notification.pk]))
    notification.refresh_from_db()
    return notification


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread in-app notifications read (all of them when ``ids`` is None)."""
    qs = Notification.objects.unread(user)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def consent_record(*, client, phone: str, method: str, by, given_at=None) -> ClientMessageConsent:
    """Record that the client agreed to reminders on ``phone``, a number they gave us."""
    number = normalise_phone(phone)
    given = {normalise_phone(client.phone), normalise_phone(getattr(client, "whatsapp", ""))}
    if not number or number not in given - {""}:
        raise ValidationError({"phone": _("Use one of the numbers recorded for this client.")})
    with transaction.atomic():
        existing = ClientMessageConsent.objects.current().filter(client=client, phone=number)
        consent = existing.first()
        if consent is not None:
            return consent
        consent = ClientMessageConsent(
            client=client,
            phone=number,
            method=method,
            recorded_by=by,
            given_at=given_at or timezone.now(),
        )
        consent._history_user = by
        consent.full_clean()
        consent.save()
    return consent


def consent_withdraw(*, consent: ClientMessageConsent, by) -> ClientMessageConsent:
    """The client no longer wants messages on that number; pending ones are cancelled."""
    with transaction.atomic():
        if consent.withdrawn_at is None:
            consent.withdrawn_at = timezone.now()
            consent.withdrawn_by = by
            consent._history_user = by
            consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        engine.cancel(
            Notification.objects.filter(consent=consent, status=Status.PENDING).values_list(
                "pk", flat=True
            ),
            "consent withdrawn",
        )
    return consent
