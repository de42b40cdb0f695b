"""Notification records, users' channel preferences, and clients' consent to messages.

These models belong to the ``bapas`` app (imported from ``bapas/models/__init__.py``). They refer
to other models by string only, so importing them never imports a feature app.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

phone_validator = RegexValidator(
    r"^\+?[0-9 ()-]{8,20}$", _("Enter a phone number such as 0812-3456-7890 or +62 812 3456 7890.")
)


def normalise_phone(number: str) -> str:
    """A mobile number as gateways expect it: digits only, Indonesian country code first.

    '0812-3456-7890', '+62 812 3456 7890' and '812 3456 7890' all become '6281234567890'.
    Anything too short to be a phone number becomes ''.
    """
    digits = re.sub(r"\D", "", number or "")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return digits if len(digits) >= 9 else ""


class Channel(models.TextChoices):
    IN_APP = "in_app", _("in the application")
    EMAIL = "email", _("email")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")


class Status(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


class NotificationQuerySet(models.QuerySet):
    def inbox(self, user):
        """The user's in-app notifications that have been delivered."""
        return self.filter(recipient=user, channel=Channel.IN_APP, status=Status.SENT)

    def unread(self, user):
        return self.inbox(user).filter(read_at__isnull=True)

    def due(self, now=None):
        return self.filter(status=Status.PENDING, next_attempt_at__lte=now or timezone.now())


class Notification(models.Model):
    """One message to one recipient on one channel. Created once: ``unique_key`` says so."""

    kind = models.CharField(_("kind"), max_length=60)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    recipient_phone = models.CharField(
        _("recipient's phone"),
        max_length=20,
        blank=True,
        help_text=_("For messages to a client: the number the client gave, with consent."),
    )
    consent = models.ForeignKey(
        "bapas.ClientMessageConsent",
        verbose_name=_("consent"),
        on_delete=models.SET_NULL,
        related_name="notifications",
        null=True,
        blank=True,
    )
    # What the notification is about (a contact, an order, a referral...).
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")

    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(
        _("link"),
        max_length=500,
        blank=True,
        help_text=_("A page of this site; empty to link to the object itself."),
    )
    language = models.CharField(_("language"), max_length=8, default="id")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    due_at = models.DateTimeField(_("due"))
    next_attempt_at = models.DateTimeField(_("next attempt"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    provider_message_id = models.CharField(_("provider's message id"), max_length=200, blank=True)
    # Sending bookkeeping: who holds the claim, and since when (a lost worker's claim expires).
    claim_token = models.CharField(max_length=64, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # The state of the object the text was written for; a rule compares it to spot stale ones.
    fingerprint = models.CharField(max_length=200, blank=True, editable=False)
    unique_key = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unique_key"], name="notification_unique_key"),
            models.CheckConstraint(
                condition=~models.Q(recipient__isnull=True, recipient_phone=""),
                name="notification_has_recipient",
            ),
        ]
        indexes = [
            # dispatch_due: pending and due
            models.Index(fields=["status", "next_attempt_at"], name="notif_due_idx"),
            # stale checks per rule
            models.Index(fields=["kind", "status"], name="notif_kind_status_idx"),
            # the inbox and the unread count in the navigation bar
            models.Index(
                fields=["recipient", "channel", "status", "read_at"], name="notif_inbox_idx"
            ),
            models.Index(fields=["content_type", "object_id"], name="notif_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient_display} ({self.channel})"

    @property
    def recipient_display(self) -> str:
        if self.recipient_id:
            return str(self.recipient)
        return masked_phone(self.recipient_phone)

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def text(self) -> str:
        return f"{self.subject}\n\n{self.body}".strip()


def masked_phone(number: str) -> str:
    """Enough of a number to tell two apart on the outbox page, not enough to call it."""
    return f"••••{number[-4:]}" if number else ""


class NotificationPreference(models.Model):
    """How a user wants to be told: channels and language. Missing row: the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    in_app = models.BooleanField(_("in the application"), default=True)
    email = models.BooleanField(_("by email"), default=True)
    whatsapp = models.BooleanField(_("by WhatsApp"), default=False)
    whatsapp_number = models.CharField(
        _("WhatsApp number"),
        max_length=20,
        blank=True,
        validators=[phone_validator],
        help_text=_("Leave empty to use the phone number of your account."),
    )
    language = models.CharField(
        _("language of messages"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}"

    def whatsapp_target(self) -> str:
        return normalise_phone(self.whatsapp_number or getattr(self.user, "phone", ""))

    def channels(self) -> list[str]:
        """The user's chosen channels, in the order they are tried."""
        chosen = []
        if self.in_app:
            chosen.append(Channel.IN_APP)
        if self.email:
            chosen.append(Channel.EMAIL)
        if self.whatsapp and self.whatsapp_target():
            chosen.append(Channel.WHATSAPP)
        return chosen


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("signed form")
    IN_PERSON = "in_person", _("said so in person at the office")
    MESSAGE = "message", _("replied to a message")
    OTHER = "other", _("other")


class ClientMessageConsentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(withdrawn_at__isnull=True)


class ClientMessageConsent(models.Model):
    """A client agreed to receive reminders on one phone number (until withdrawn).

    The client register is owned by the clients app; consent lives here because only the
    notification engine acts on it. Messages go to a client only while a consent exists for
    that exact number and the number is still one the client gave.
    """

    client = models.ForeignKey(
        "clients.Client",
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="message_consents",
    )
    phone = models.CharField(_("phone"), max_length=20, validators=[phone_validator])
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    method = models.CharField(
        _("how consent was given"),
        max_length=12,
        choices=ConsentMethod.choices,
        default=ConsentMethod.WRITTEN,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawal recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    history = HistoricalRecords()
    objects = ClientMessageConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("client's consent to messages")
        verbose_name_plural = _("clients' consents to messages")
        ordering = ["-given_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "phone"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_current_per_number",
            )
        ]
        indexes = [models.Index(fields=["client", "withdrawn_at"], name="consent_client_idx")]

    def __str__(self) -> str:
        return f"{self.client_id} {masked_phone(self.phone)}"

    def save(self, *args, **kwargs):
        self.phone = normalise_phone(self.phone) or self.phone
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None
