"""Warnings, revocation, case notes and documents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .storage import private_storage


class WarningLetter(models.Model):
    class Level(models.TextChoices):
        SP1 = "sp1", _("First warning (SP1)")
        SP2 = "sp2", _("Second warning (SP2)")
        SP3 = "sp3", _("Third warning (SP3)")

    order = models.ForeignKey(
        "clients.SupervisionOrder", on_delete=models.PROTECT, related_name="warnings"
    )
    level = models.CharField(_("level"), max_length=3, choices=Level.choices)
    number = models.CharField(_("letter number"), max_length=100)
    issued_on = models.DateField(_("date"))
    reason = models.TextField(_("reason"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("warning letter")
        verbose_name_plural = _("warning letters")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.number}"


class RevocationProposal(models.Model):
    """The PK proposes revocation; the TPP hears it; the supervisor or head decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting decision")
        APPROVED = "approved", _("approved (revoked)")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    order = models.ForeignKey(
        "clients.SupervisionOrder", on_delete=models.PROTECT, related_name="revocations"
    )
    reasons = models.TextField(_("reasons"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decree_number = models.CharField(_("revocation decree number"), max_length=100, blank=True)
    decree_date = models.DateField(_("revocation decree date"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("revocation proposal")
        verbose_name_plural = _("revocation proposals")
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(status="pending"),
                name="one_pending_revocation_per_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order} · {self.get_status_display()}"


class CaseNote(models.Model):
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="notes")
    order = models.ForeignKey(
        "clients.SupervisionOrder", on_delete=models.PROTECT, related_name="notes", null=True,
        blank=True,
    )
    text = models.TextField(_("note"))
    confidential = models.BooleanField(
        _("confidential"), default=True,
        help_text=_("Confidential notes are never shown to partner staff."),
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class ClientDocument(models.Model):
    class Kind(models.TextChoices):
        DECREE = "decree", _("Decree (SK)")
        COURT_DECISION = "court", _("Court decision")
        LITMAS = "litmas", _("Social inquiry report (Litmas)")
        CONTRACT = "contract", _("Guidance contract")
        PHOTO = "photo", _("Photo")
        IDENTITY = "identity", _("Identity papers")
        OTHER = "other", _("Other")

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    document_date = models.DateField(_("document date"))
    file = models.FileField(_("file"), storage=private_storage, upload_to="clients/docs/%Y/%m/")
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveIntegerField(editable=False, default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("client document")
        verbose_name_plural = _("client documents")
        ordering = ["-document_date", "-id"]

    def __str__(self) -> str:
        return self.title
