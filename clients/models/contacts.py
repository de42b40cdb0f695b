"""Contacts and visits: planned, then recorded with an outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bapas.models import Role
from bapas.scoping import ALL, office_ids_for

from .orders import RiskLevel
from .storage import private_storage


class ContactKind(models.TextChoices):
    REPORT = "wajib_lapor", _("Reporting at the office (wajib lapor)")
    REMOTE_REPORT = "lapor_daring", _("Remote reporting (video call)")
    HOME_VISIT = "kunjungan_rumah", _("Home visit")
    WORKPLACE_VISIT = "kunjungan_kerja", _("Workplace visit")
    GUARANTOR_VISIT = "kunjungan_penjamin", _("Visit at the guarantor's house")
    PHONE = "telepon", _("Telephone")
    VIDEO = "video", _("Video call")
    GROUP = "kelompok", _("Group guidance")


VISIT_KINDS = frozenset(
    {ContactKind.HOME_VISIT, ContactKind.WORKPLACE_VISIT, ContactKind.GUARANTOR_VISIT}
)


class Outcome(models.TextChoices):
    ATTENDED = "hadir_patuh", _("attended and complied")
    ATTENDED_NONCOMPLIANT = "hadir_tidak_patuh", _("attended, failed to comply")
    EXCUSED = "tidak_hadir_sah", _("absent with an acceptable reason")
    MISSED = "tidak_hadir", _("failed to attend")


ATTENDED_OUTCOMES = frozenset({Outcome.ATTENDED, Outcome.ATTENDED_NONCOMPLIANT})


class ContactQuerySet(models.QuerySet):
    def for_user(self, user):
        office_ids = office_ids_for(user)
        if user.is_authenticated and user.role == Role.REGIONAL:
            return self.none()
        qs = self if office_ids is ALL else self.filter(order__office_id__in=office_ids)
        if user.is_authenticated and user.role == Role.PK:
            qs = qs.filter(models.Q(order__assigned_pk=user) | models.Q(order__cover_pk=user))
        return qs

    def planned(self):
        return self.filter(outcome="", cancelled_at__isnull=True)

    def awaiting_outcome(self, now=None):
        """Past contacts that still have no outcome: the officer's to-do list."""
        return self.planned().filter(planned_at__lt=now or timezone.now())

    def upcoming(self, now=None):
        return self.planned().filter(planned_at__gte=now or timezone.now())


class Contact(models.Model):
    order = models.ForeignKey(
        "clients.SupervisionOrder", verbose_name=_("order"), on_delete=models.PROTECT,
        related_name="contacts",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ContactKind.choices)
    planned_at = models.DateTimeField(_("planned for"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT,
        related_name="contacts", null=True, blank=True,
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    happened_at = models.DateTimeField(_("took place"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    remote_justification = models.CharField(
        _("reason for remote reporting"), max_length=255, blank=True
    )
    checked_in_at = models.DateTimeField(_("checked in at the front desk"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    rescheduled_from = models.DateTimeField(_("originally planned for"), null=True, blank=True)
    reschedule_reason = models.CharField(_("reason for rescheduling"), max_length=255, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-planned_at", "-id"]
        indexes = [
            models.Index(fields=["order", "planned_at"]),
            models.Index(fields=["officer", "planned_at"]),
            models.Index(fields=["outcome", "planned_at"]),
            # open contacts by order: an office's (or a PK's) awaiting outcomes and agenda from
            # its orders, without reading the closed ones; the condition is planned()'s filter
            models.Index(fields=["order", "planned_at"],
                         condition=models.Q(outcome="", cancelled_at__isnull=True),
                         name="clients_contact_open_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.planned_at):%d/%m/%Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("clients:contact_detail", args=[self.pk])

    @property
    def is_visit(self) -> bool:
        return self.kind in VISIT_KINDS

    @property
    def is_open(self) -> bool:
        return not self.outcome and self.cancelled_at is None

    @property
    def awaiting_outcome(self) -> bool:
        return self.is_open and self.planned_at < timezone.now()

    @property
    def attended(self) -> bool:
        return self.outcome in ATTENDED_OUTCOMES


class ContactPhoto(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), storage=private_storage, upload_to="contacts/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class ReportingInterval(models.Model):
    """How often a client reports, per office and risk level (office-configurable)."""

    DEFAULT_DAYS = {RiskLevel.LOW: 30, RiskLevel.MEDIUM: 14, RiskLevel.HIGH: 7}

    office = models.ForeignKey(
        "bapas.Office", on_delete=models.CASCADE, related_name="reporting_intervals"
    )
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    interval_days = models.PositiveSmallIntegerField(_("every how many days"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporting interval")
        verbose_name_plural = _("reporting intervals")
        constraints = [
            models.UniqueConstraint(fields=["office", "risk_level"], name="interval_unique"),
            models.CheckConstraint(condition=models.Q(interval_days__gte=1),
                                   name="interval_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.risk_level}: {self.interval_days}"

    @classmethod
    def days_for(cls, office, risk_level: str) -> int:
        row = cls.objects.filter(office=office, risk_level=risk_level).first()
        return row.interval_days if row else cls.DEFAULT_DAYS[RiskLevel(risk_level)]
