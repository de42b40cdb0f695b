"""The engine: rules create notifications once, stale ones are cancelled, due ones are sent.

Reminder rules live in the feature apps (``clients/reminders.py`` and so on), each module with
a ``RULES`` list. A periodic sweep asks every rule for the notifications that should exist now
(``Draft`` objects) and stores them under a unique key — kind, object, due date, recipient,
channel — so a sweep that runs twice, or two beats at once, create each one once. Before that,
each rule looks at its pending notifications and names those that no longer apply (a contact
moved or cancelled): they are cancelled, and the same sweep creates the right new ones.

Sending is claimed with a conditional UPDATE (pending → sending) so two workers never send the
same notification; a claim held by a lost worker expires after a lease.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib import import_module

from celery.exceptions import SoftTimeLimitExceeded
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation

from . import channels as channel_registry
from .gateways import PermanentError, TransientError
from .models import Channel, Notification, NotificationPreference, Status

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # the first try and five retries
DISPATCH_BATCH = 1000
REQUEUE_AFTER = timedelta(minutes=15)  # a queued send that has not run by then is queued again
KEEP_FOR = timedelta(days=365)  # sent and cancelled notifications are deleted after a year
CHUNK = 500


def claim_lease() -> timedelta:
    """How long a claim protects a notification; longer than any task may run."""
    return timedelta(seconds=2 * getattr(settings, "CELERY_TASK_TIME_LIMIT", 300))


def retry_delay(attempt: int) -> int:
    """Seconds to wait after the ``attempt``-th failed try: 30 s, 1, 2, 4, 8 min (max 15)."""
    return min(30 * 2 ** max(attempt - 1, 0), 15 * 60)


# --- Drafts and rules ----------------------------------------------------------------------


@dataclass
class Draft:
    """A notification a rule wants to exist. Nothing is saved until ``ensure``."""

    kind: str
    channel: str
    due_at: datetime
    subject: str
    body: str = ""
    about: models.Model | None = None
    recipient: models.Model | None = None
    phone: str = ""
    consent_id: int | None = None
    language: str = ""  # empty: the site default
    link: str = ""
    fingerprint: str = ""
    dedupe: str = ""  # for events that may happen twice on one day (a status change)

    def key(self) -> str:
        about = "-"
        if self.about is not None:
            about = f"{self.about._meta.label_lower}:{self.about.pk}"
        who = f"u{self.recipient.pk}" if self.recipient is not None else f"p{self.phone}"
        day = timezone.localdate(self.due_at).isoformat()
        parts = [self.kind, about, day, who, self.channel]
        if self.dedupe:
            parts.append(self.dedupe)
        key = "|".join(parts)
        if len(key) > 255:
            key = key[:190] + "#" + hashlib.sha256(key.encode()).hexdigest()
        return key

    def to_model(self, now: datetime) -> Notification:
        delivered_now = self.channel == Channel.IN_APP and self.due_at <= now
        return Notification(
            kind=self.kind,
            recipient=self.recipient,
            recipient_phone=self.phone,
            consent_id=self.consent_id,
            content_type=(
                ContentType.objects.get_for_model(self.about) if self.about is not None else None
            ),
            object_id=self.about.pk if self.about is not None else None,
            subject=self.subject[:255],
            body=self.body,
            link=self.link[:500],
            language=self.language or settings.LANGUAGE_CODE,
            channel=self.channel,
            status=Status.SENT if delivered_now else Status.PENDING,
            sent_at=now if delivered_now else None,
            due_at=self.due_at,
            next_attempt_at=self.due_at,
            fingerprint=self.fingerprint[:200],
            unique_key=self.key(),
            created_at=now,
        )


@dataclass(frozen=True)
class Rule:
    """One kind of reminder.

    ``build(now)`` returns the drafts that should exist at ``now`` (the engine skips those that
    already do). ``stale(pending, now)`` gets the rule's pending notifications (their ``about``
    prefetched) and returns the ids of those that no longer apply; they are cancelled.
    """

    name: str
    kinds: tuple[str, ...]
    build: Callable[[datetime], Iterable[Draft]]
    stale: Callable[[Sequence[Notification], datetime], Iterable[int]] | None = None


@cache
def discover_rules() -> tuple[Rule, ...]:
    """Every installed app's ``reminders.RULES``, in app order."""
    found: list[Rule] = []
    for app_config in apps.get_app_configs():
        module_name = f"{app_config.name}.reminders"
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        found.extend(getattr(module, "RULES", ()))
    return tuple(found)


# --- Creating ------------------------------------------------------------------------------


def ensure(drafts: Iterable[Draft], *, now: datetime | None = None) -> int:
    """Store the drafts that do not exist yet; return how many were new.

    An existing key is left alone when it was sent or failed (nothing is sent twice). A pending
    one whose object changed since (another fingerprint) gets the new text; a cancelled one is
    brought back, so moving a contact away and back again still leaves one reminder.
    """
    now = now or timezone.now()
    by_key: dict[str, Draft] = {}
    for draft in drafts:
        by_key.setdefault(draft.key(), draft)
    if not by_key:
        return 0
    keys = list(by_key)
    existing: dict[str, tuple[int, str, str]] = {}
    for start in range(0, len(keys), CHUNK):
        rows = Notification.objects.filter(unique_key__in=keys[start : start + CHUNK]).values_list(
            "unique_key", "id", "status", "fingerprint"
        )
        for key, pk, status, fingerprint in rows:
            existing[key] = (pk, status, fingerprint)
    new = [draft.to_model(now) for key, draft in by_key.items() if key not in existing]
    if new:
        Notification.objects.bulk_create(new, batch_size=CHUNK, ignore_conflicts=True)
    for key, (pk, status, fingerprint) in existing.items():
        draft = by_key[key]
        changed = status == Status.PENDING and fingerprint != draft.fingerprint[:200]
        if status == Status.CANCELLED or changed:
            fresh = draft.to_model(now)
            Notification.objects.filter(pk=pk, status=status).update(
                status=fresh.status,
                sent_at=fresh.sent_at,
                subject=fresh.subject,
                body=fresh.body,
                link=fresh.link,
                language=fresh.language,
                fingerprint=fresh.fingerprint,
                consent_id=fresh.consent_id,
                due_at=fresh.due_at,
                next_attempt_at=fresh.next_attempt_at,
                cancel_reason="",
                error="",
                attempts=0,
                queued_at=None,
            )
    return len(new)


def preferences_for(users: Iterable) -> dict[int, NotificationPreference]:
    """Each user's preference (saved or default), in one query."""
    users = list(users)
    saved = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=users)}
    result = {}
    for user in users:
        preference = saved.get(user.pk) or NotificationPreference(user=user)
        preference.user = user  # no extra query for whatsapp_target()
        result[user.pk] = preference
    return result


def user_drafts(
    *,
    user,
    preference: NotificationPreference,
    kind: str,
    render: Callable[[], tuple[str, str]],
    due_at: datetime,
    about: models.Model | None = None,
    channels: Iterable[str] | None = None,
    link: str = "",
    fingerprint: str = "",
    dedupe: str = "",
) -> list[Draft]:
    """Drafts for one staff member on each channel they chose (and ``channels`` allows).

    ``render()`` returns (subject, body) and runs in the user's language.
    """
    if not user.is_active:
        return []
    wanted = [
        c
        for c in preference.channels()
        if (channels is None or c in channels) and channel_registry.available(c)
    ]
    if not wanted:
        return []
    language = preference.language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject, body = render()
        subject, body = str(subject), str(body)
    return [
        Draft(
            kind=kind,
            channel=channel,
            due_at=due_at,
            subject=subject,
            body=body,
            about=about,
            recipient=user,
            language=language,
            link=link,
            fingerprint=fingerprint,
            dedupe=dedupe,
        )
        for channel in wanted
    ]


# --- Sweeping ------------------------------------------------------------------------------


@dataclass
class SweepResult:
    created: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)


def cancel(ids: Iterable[int], reason: str) -> int:
    ids = list(ids)
    total = 0
    for start in range(0, len(ids), CHUNK):
        total += Notification.objects.filter(
            pk__in=ids[start : start + CHUNK], status=Status.PENDING
        ).update(status=Status.CANCELLED, cancel_reason=reason[:200])
    return total


def cancel_stale(rule: Rule, now: datetime) -> int:
    pending = list(
        Notification.objects.filter(kind__in=rule.kinds, status=Status.PENDING)
        .select_related("content_type")
        .prefetch_related("about")
    )
    if not pending:
        return 0
    gone = [n.pk for n in pending if n.content_type_id and n.about is None]
    stale = list(rule.stale(pending, now)) if rule.stale else []
    return cancel(gone, "the object was deleted") + cancel(stale, "no longer applies")


def run_sweeps(now: datetime | None = None, rules: Iterable[Rule] | None = None) -> SweepResult:
    """Run every rule: cancel what no longer applies, create what should exist."""
    now = now or timezone.now()
    result = SweepResult()
    for rule in rules if rules is not None else discover_rules():
        try:
            result.cancelled += cancel_stale(rule, now)
            result.created += ensure(rule.build(now), now=now)
        except Exception as exc:  # one broken rule must not stop the others
            logger.exception("reminder rule %s failed", rule.name)
            result.errors.append(f"{rule.name}: {exc}")
    return result


def purge_old(now: datetime | None = None) -> int:
    """Delete delivered and cancelled notifications older than a year; failed ones stay for an
    administrator to look at. Rules only look days ahead or back, so nothing is re-created."""
    now = now or timezone.now()
    deleted, _ = Notification.objects.filter(
        status__in=[Status.SENT, Status.CANCELLED], due_at__lt=now - KEEP_FOR
    ).delete()
    return deleted


def due_for_sending(now: datetime | None = None) -> list[int]:
    """Mark due in-app notifications delivered; return the ids of others to queue for sending.

    Also frees claims held by workers that died (their lease ran out), so a lost send is tried
    again. Rows queued recently are not queued again, so a busy worker is not flooded.
    """
    now = now or timezone.now()
    Notification.objects.filter(status=Status.SENDING, claimed_at__lt=now - claim_lease()).update(
        status=Status.PENDING, claim_token="", next_attempt_at=now, queued_at=None
    )
    Notification.objects.due(now).filter(channel=Channel.IN_APP).update(
        status=Status.SENT, sent_at=now
    )
    ids = list(
        Notification.objects.due(now)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:DISPATCH_BATCH]
    )
    for start in range(0, len(ids), CHUNK):
        Notification.objects.filter(pk__in=ids[start : start + CHUNK]).update(queued_at=now)
    return ids


# --- Sending -------------------------------------------------------------------------------


class Outcome:
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # someone else holds it, or it is no longer pending


def claim(notification_id: int, token: str, now: datetime | None = None) -> bool:
    """Take the notification for sending. Exactly one caller gets True.

    The same token may take it again (a task redelivered after its worker died), and anyone may
    take a claim whose lease has run out.
    """
    now = now or timezone.now()
    expired = now - claim_lease()
    allowed = Q(status=Status.PENDING) | Q(status=Status.SENDING, claimed_at__lt=expired)
    if token:
        allowed |= Q(status=Status.SENDING, claim_token=token)
    return bool(
        Notification.objects.filter(allowed, pk=notification_id).update(
            status=Status.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _finish(notification: Notification, token: str, **fields) -> None:
    Notification.objects.filter(
        pk=notification.pk, status=Status.SENDING, claim_token=token
    ).update(claim_token="", **fields)


def why_not_allowed(notification: Notification) -> str:
    """A reason to stop a message that may no longer go out, or ''."""
    if notification.recipient_id:
        if not notification.recipient.is_active:
            return "the recipient's account is deactivated"
        return ""
    consent = notification.consent
    if consent is None or consent.withdrawn_at is not None:
        return "no current consent for this number"
    if consent.phone != notification.recipient_phone:
        return "the consent is for another number"
    return ""


def deliver(notification_id: int, *, token: str, now: datetime | None = None) -> str:
    """Claim, check, send and record one notification. Safe to call twice."""
    if not claim(notification_id, token, now):
        return Outcome.SKIPPED
    notification = Notification.objects.select_related("recipient", "consent").get(
        pk=notification_id
    )
    reason = why_not_allowed(notification)
    if reason:
        _finish(notification, token, status=Status.CANCELLED, cancel_reason=reason)
        return Outcome.CANCELLED
    try:
        provider_id = channel_registry.deliver(notification)
    except (TransientError, SoftTimeLimitExceeded) as exc:
        if notification.attempts >= MAX_ATTEMPTS:
            _finish(notification, token, status=Status.FAILED, error=_error_text(exc, final=True))
            return Outcome.FAILED
        _finish(
            notification,
            token,
            status=Status.PENDING,
            error=str(exc)[:1000],
            next_attempt_at=timezone.now() + timedelta(seconds=retry_delay(notification.attempts)),
        )
        return Outcome.RETRY
    except PermanentError as exc:
        _finish(notification, token, status=Status.FAILED, error=str(exc)[:1000])
        return Outcome.FAILED
    except Exception as exc:
        logger.exception("sending notification %s failed", notification_id)
        _finish(
            notification,
            token,
            status=Status.FAILED,
            error=f"{exc.__class__.__name__}: {exc}"[:1000],
        )
        return Outcome.FAILED
    _finish(
        notification,
        token,
        status=Status.SENT,
        sent_at=timezone.now(),
        error="",
        provider_message_id=(provider_id or "")[:200],
    )
    return Outcome.SENT


def _error_text(exc: Exception, *, final: bool) -> str:
    suffix = f" (gave up after {MAX_ATTEMPTS} attempts)" if final else ""
    return f"{exc}{suffix}"[:1000]
