"""Supervision orders (program bimbingan), their status history and stage."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bapas.models import Role
from bapas.scoping import ALL, office_ids_for


class Program(models.TextChoices):
    PB = "pb", _("Parole (Pembebasan Bersyarat)")
    CB = "cb", _("Conditional leave (Cuti Bersyarat)")
    CMB = "cmb", _("Pre-release leave (Cuti Menjelang Bebas)")
    ASSIMILATION = "asimilasi", _("Assimilation (Asimilasi)")
    CONDITIONAL = "pidana_bersyarat", _("Conditional sentence (Pidana Bersyarat)")
    SUPERVISED = "pidana_pengawasan", _("Supervised sentence (Pidana Pengawasan)")
    DIVERSION = "diversi", _("Diversion and child measures (Diversi)")


class RiskLevel(models.TextChoices):
    LOW = "rendah", _("low (rendah)")
    MEDIUM = "sedang", _("medium (sedang)")
    HIGH = "tinggi", _("high (tinggi)")


class Stage(models.TextChoices):
    EARLY = "awal", _("early stage (tahap awal)")
    MIDDLE = "lanjutan", _("middle stage (tahap lanjutan)")
    LATE = "akhir", _("final stage (tahap akhir)")


class OrderStatus(models.TextChoices):
    ACTIVE = "aktif", _("active (aktif)")
    COMPLETED = "selesai", _("completed (selesai)")
    REVOKED = "dicabut", _("revoked (dicabut)")
    TRANSFERRED = "dialihkan", _("transferred (dialihkan)")
    DECEASED = "meninggal", _("deceased (meninggal)")


class InstitutionType(models.TextChoices):
    LAPAS = "lapas", _("Prison (Lapas)")
    RUTAN = "rutan", _("Remand centre (Rutan)")
    LPKA = "lpka", _("Juvenile institution (LPKA)")
    COURT = "court", _("Court (no custody)")
    OTHER = "other", _("Other")


class OrderQuerySet(models.QuerySet):
    def for_user(self, user):
        office_ids = office_ids_for(user)
        if user.is_authenticated and user.role == Role.REGIONAL:
            return self.none()
        qs = self if office_ids is ALL else self.filter(office_id__in=office_ids)
        if user.is_authenticated and user.role == Role.PK:
            qs = qs.filter(models.Q(assigned_pk=user) | models.Q(cover_pk=user))
        return qs

    def active(self):
        return self.filter(status=OrderStatus.ACTIVE)

    def ending_within(self, days: int, today: date | None = None):
        today = today or timezone.localdate()
        return self.active().filter(
            supervision_end__gte=today, supervision_end__lte=today + timedelta(days=days)
        )

    def overdue_for_closing(self, today: date | None = None):
        return self.active().filter(supervision_end__lt=today or timezone.localdate())

    def in_stage(self, stage: str, today: date | None = None):
        """Active orders whose stage today is ``stage`` (the thirds of the supervision period)."""
        today = today or timezone.localdate()
        from django.db.models import DurationField, ExpressionWrapper, F

        length = ExpressionWrapper(
            F("supervision_end") - F("supervision_start"), output_field=DurationField()
        )
        elapsed = ExpressionWrapper(
            models.Value(today) - F("supervision_start"), output_field=DurationField()
        )
        qs = self.annotate(_length=length, _elapsed=elapsed)
        if stage == Stage.EARLY:
            return qs.filter(_elapsed__lt=F("_length") / 3)
        if stage == Stage.MIDDLE:
            return qs.filter(_elapsed__gte=F("_length") / 3, _elapsed__lt=F("_length") * 2 / 3)
        return qs.filter(_elapsed__gte=F("_length") * 2 / 3)


class SupervisionOrder(models.Model):
    """One legal basis for supervising a client: a decree (SK) or a court decision."""

    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.PROTECT,
        related_name="orders",
    )
    # The client's office, copied when the order is first saved. A client never changes
    # office (a transfer ends the order with "dialihkan" and the receiving office registers
    # the client), so the copy cannot go stale. Office lists, scoping and counts start from
    # the office's orders by index instead of probing every client of the office.
    office = models.ForeignKey(
        "bapas.Office", verbose_name=_("office"), on_delete=models.PROTECT, related_name="+",
        editable=False, db_index=False,  # clients_order_office_status starts with it
    )
    program = models.CharField(_("program type"), max_length=20, choices=Program.choices)
    decree_number = models.CharField(_("decree (SK) number"), max_length=100, blank=True)
    decree_date = models.DateField(_("decree date"), null=True, blank=True)
    court_decision_number = models.CharField(
        _("court decision number"), max_length=100, blank=True
    )
    court_decision_date = models.DateField(_("court decision date"), null=True, blank=True)
    offence = models.CharField(_("offence (tindak pidana)"), max_length=255)
    article = models.CharField(_("article"), max_length=255, blank=True)
    offence_date = models.DateField(
        _("date of the offence"), null=True, blank=True,
        help_text=_("Decides whether the client is a child client (under 18 at the offence)."),
    )
    sentence = models.CharField(_("sentence"), max_length=255, blank=True)
    institution_type = models.CharField(
        _("institution type"), max_length=10, choices=InstitutionType.choices, blank=True
    )
    institution_name = models.CharField(_("originating institution"), max_length=200, blank=True)
    supervision_start = models.DateField(_("supervision start"))
    supervision_end = models.DateField(_("supervision end"))
    special_conditions = models.TextField(_("special conditions"), blank=True)
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW
    )
    assigned_pk = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned PK"), on_delete=models.PROTECT,
        related_name="caseload_orders", null=True, blank=True,
        limit_choices_to={"role": Role.PK},
    )
    cover_pk = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("covering PK (read-only)"),
        on_delete=models.SET_NULL, related_name="cover_orders", null=True, blank=True,
        limit_choices_to={"role": Role.PK},
    )
    status = models.CharField(
        _("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.ACTIVE,
        editable=False,
    )
    status_changed_at = models.DateField(_("status date"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    history = HistoricalRecords(excluded_fields=["office"])  # the client's, never edited
    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-supervision_start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(supervision_end__gte=models.F("supervision_start")),
                name="order_end_not_before_start",
            )
        ]
        indexes = [
            # an office's list by status, in end-date order or joined to its clients by name;
            # with the id, an office's order ids without reading the table (counts, joins).
            # A key column rather than INCLUDE, which SQLite lacks (check W040).
            models.Index(fields=["office", "status", "supervision_end", "id"],
                         name="clients_order_office_status"),
            models.Index(fields=["assigned_pk", "status"]),
            models.Index(fields=["status", "supervision_end"]),
            models.Index(fields=["program", "status"]),
            models.Index(fields=["risk_level", "status"]),
            # a client's active order, read from the index alone (office lists and counts)
            models.Index(fields=["client"], condition=models.Q(status="aktif"),
                         name="clients_order_active_client"),
            # an office's order ids from its clients' ids, without reading the table: keeps
            # office-wide joins (check-in, awaiting outcomes, referrals) on nested index loops
            models.Index(fields=["client", "id"], name="clients_order_client_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_program_display()} · {self.client.full_name}"

    def save(self, *args, **kwargs):
        if self._state.adding or self.office_id is None:  # always the client's office
            self.office_id = self.client.office_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("clients:order_detail", args=[self.client_id, self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == OrderStatus.ACTIVE

    def stage_on(self, day: date | None = None) -> str:
        """Thirds of the supervision period: awal, lanjutan, akhir."""
        day = day or timezone.localdate()
        length = (self.supervision_end - self.supervision_start).days or 1
        elapsed = (day - self.supervision_start).days
        if elapsed * 3 < length:
            return Stage.EARLY
        if elapsed * 3 < length * 2:
            return Stage.MIDDLE
        return Stage.LATE

    @property
    def stage(self) -> str:
        return self.stage_on()

    def get_stage_display(self) -> str:
        return Stage(self.stage).label

    @property
    def needs_closing(self) -> bool:
        return self.is_active and self.supervision_end < timezone.localdate()

    @property
    def days_left(self) -> int:
        return (self.supervision_end - timezone.localdate()).days


class OrderStatusChange(models.Model):
    """Every status change of an order, with its reason. Never updated or deleted."""

    order = models.ForeignKey(
        SupervisionOrder, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(_("from"), max_length=12, choices=OrderStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=OrderStatus.choices)
    effective_date = models.DateField(_("effective date"))
    reason = models.TextField(_("reason"))
    reference = models.CharField(
        _("reference (decree, letter)"), max_length=200, blank=True
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("order status change")
        verbose_name_plural = _("order status changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status} ({self.effective_date})"
