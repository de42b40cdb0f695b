"""Generated reports: every rendering is stored, versioned, checksummed and verifiable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bapas.models import Role
from bapas.scoping import ALL, office_ids_for
from clients.models.storage import private_storage


def _verification_code() -> str:
    return secrets.token_urlsafe(16)


class ReportKind(models.TextChoices):
    MONTHLY_PDF = "monthly_pdf", _("Monthly office report (PDF)")
    MONTHLY_XLSX = "monthly_xlsx", _("Monthly office report (XLSX)")
    REGIONAL_PDF = "regional_pdf", _("Regional monthly report (PDF)")
    REGIONAL_XLSX = "regional_xlsx", _("Regional monthly report (XLSX)")
    PROGRESS = "progress", _("Client progress report")
    GUIDANCE_CARD = "guidance_card", _("Guidance card (kartu bimbingan)")
    GUIDANCE_CONTRACT = "guidance_contract", _("Guidance contract (kontrak bimbingan)")


CLIENT_KINDS = frozenset({ReportKind.PROGRESS, ReportKind.GUIDANCE_CARD,
                          ReportKind.GUIDANCE_CONTRACT})
REGIONAL_KINDS = frozenset({ReportKind.REGIONAL_PDF, ReportKind.REGIONAL_XLSX})
STALE_AFTER = timedelta(minutes=10)


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RENDERING = "rendering", _("rendering")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


class GeneratedReportQuerySet(models.QuerySet):
    def for_user(self, user):
        """Office reports for the office's managers; client documents for those who may open
        the client; regional reports for the region's viewers. Partner staff: none."""
        if not user.is_authenticated or user.role == Role.PARTNER:
            return self.none()
        office_ids = office_ids_for(user)
        if office_ids is ALL:
            return self
        if user.role == Role.REGIONAL:
            return self.filter(kind__in=REGIONAL_KINDS,
                               regional_office_id=user.regional_office_id)
        from clients.models import Client

        office_reports = models.Q(office_id__in=office_ids, client__isnull=True) & ~models.Q(
            kind__in=REGIONAL_KINDS
        )
        if user.role == Role.PK or user.role == Role.OPERATOR:
            office_reports = models.Q(pk__in=[])  # PKs and operators print client documents only
        client_reports = models.Q(client__in=Client.objects.for_user(user))
        return self.filter(office_reports | client_reports)


class GeneratedReport(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    office = models.ForeignKey(
        "bapas.Office", verbose_name=_("office"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="reports",
    )
    regional_office = models.ForeignKey(
        "bapas.RegionalOffice", verbose_name=_("regional office"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="reports",
    )
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="reports",
    )
    order = models.ForeignKey(
        "clients.SupervisionOrder", verbose_name=_("supervision order"),
        on_delete=models.PROTECT, null=True, blank=True, related_name="reports",
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to="reports/%Y/%m/", blank=True
    )
    checksum = models.CharField(_("SHA-256 checksum"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    verification_code = models.CharField(
        max_length=32, unique=True, default=_verification_code, editable=False
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("rendering started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = GeneratedReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("generated report")
        verbose_name_plural = _("generated reports")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["office", "kind", "period_start"]),
            models.Index(fields=["client", "kind"]),
            models.Index(fields=["status", "requested_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start:%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        """Ready or failed: nothing more will happen to this row (the page stops polling)."""
        return self.status in {ReportStatus.READY, ReportStatus.FAILED}

    @property
    def waiting_too_long(self) -> bool:
        """Still not rendered 10 minutes after the request: the worker may be down."""
        return not self.is_final and self.requested_at < timezone.now() - STALE_AFTER

    @property
    def is_client_document(self) -> bool:
        return self.kind in CLIENT_KINDS

    @property
    def is_regional(self) -> bool:
        return self.kind in REGIONAL_KINDS

    @property
    def extension(self) -> str:
        return "pdf" if self.is_pdf else "xlsx"

    @property
    def content_type(self) -> str:
        if self.is_pdf:
            return "application/pdf"
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    @property
    def issuer_name(self) -> str:
        """The office (or regional office) that issues the document."""
        if self.office_id:
            return self.office.name
        return self.regional_office.name if self.regional_office_id else ""

    def versions(self):
        """Every rendering of the same document (same kind, issuer, subject and period),
        oldest first: regenerating adds a version and never replaces one."""
        return GeneratedReport.objects.filter(
            kind=self.kind, office_id=self.office_id, regional_office_id=self.regional_office_id,
            client_id=self.client_id, order_id=self.order_id, period_start=self.period_start,
            period_end=self.period_end,
        ).order_by("requested_at", "id")

    @property
    def is_pdf(self) -> bool:
        return self.kind not in {ReportKind.MONTHLY_XLSX, ReportKind.REGIONAL_XLSX}

    @property
    def is_ready(self) -> bool:
        return self.status == ReportStatus.READY and bool(self.file)

    def verification_url(self) -> str:
        return f"{settings.SITE_URL}{reverse('reports:verify', args=[self.verification_code])}"

    def file_matches_checksum(self) -> bool:
        if not self.file:
            return False
        digest = hashlib.sha256()
        with self.file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(65536), b""):
                digest.update(chunk)
        return digest.hexdigest() == self.checksum
