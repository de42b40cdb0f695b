"""Partner organisations, their contact people, the service catalogue and agreements (MoU/PKS)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bapas.scoping import OfficeScopedQuerySet, office_ids_for
from clients.models.storage import private_storage

# An agreement that ends within this many days needs renewing and is flagged "expiring".
EXPIRING_WITHIN_DAYS = 60


class PartnerQuerySet(models.QuerySet):
    def for_user(self, user):
        """Officers see the partners of their offices; partner staff only their own."""
        if getattr(user, "partner_id", None):
            return self.filter(pk=user.partner_id)
        office_ids = office_ids_for(user)
        if office_ids is None:
            return self
        return self.filter(offices__in=office_ids).distinct()

    def working_with(self, office_id: int):
        return self.filter(offices=office_id, is_active=True)


class Service(models.Model):
    """One entry of the service catalogue (job-skills training, counselling, identity papers...)."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        _("active"), default=True,
        help_text=_("Inactive services cannot be chosen for new referrals."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Partner(models.Model):
    """A partner organisation: a Pokmas Lipas group, an agency, a university, an NGO."""

    class Kind(models.TextChoices):
        POKMAS = "pokmas", _("Pokmas Lipas")
        GOVERNMENT = "government", _("Government agency")
        UNIVERSITY = "university", _("University")
        NGO = "ngo", _("NGO")
        EMPLOYER = "employer", _("Employer")
        FIGURE = "figure", _("Religious or community figure")

    class PokmasGroup(models.TextChoices):
        LAW = "law", _("Hukum dan Kemasyarakatan")
        INDEPENDENCE = "independence", _("Kemandirian dan Kepribadian")
        ECONOMY = "economy", _("Ekonomi")
        SOCIAL = "social", _("Sosial")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    pokmas_group = models.CharField(
        _("Pokmas group"), max_length=20, choices=PokmasGroup.choices, blank=True
    )
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    offices = models.ManyToManyField(
        "bapas.Office", verbose_name=_("offices it works with"), related_name="partners"
    )
    services = models.ManyToManyField(
        Service, verbose_name=_("services offered"), related_name="partners", blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    # related_name lets the audit page reach the partner's offices from a history row.
    history = HistoricalRecords(related_name="history_entries")
    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:detail", args=[self.pk])


class PartnerContact(models.Model):
    """A contact person at a partner organisation (not a login: staff accounts are users)."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner organisation"), on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    EXPIRING = "expiring", _("expiring soon")
    EXPIRED = "expired", _("expired")


AGREEMENT_BADGES = {
    AgreementStatus.ACTIVE: "text-bg-success",
    AgreementStatus.EXPIRING: "text-bg-warning",
    AgreementStatus.EXPIRED: "text-bg-secondary",
}


def agreement_status_for(end: date | None, today: date | None = None) -> str | None:
    """Active, expiring (ends within 60 days) or expired; ``None`` when there is no agreement."""
    if end is None:
        return None
    today = today or timezone.localdate()
    if end < today:
        return AgreementStatus.EXPIRED
    if end <= today + timedelta(days=EXPIRING_WITHIN_DAYS):
        return AgreementStatus.EXPIRING
    return AgreementStatus.ACTIVE


class AgreementQuerySet(OfficeScopedQuerySet):
    office_field = "office"

    def with_status(self, status: str, today: date | None = None):
        today = today or timezone.localdate()
        soon = today + timedelta(days=EXPIRING_WITHIN_DAYS)
        if status == AgreementStatus.EXPIRED:
            return self.filter(end_date__lt=today)
        if status == AgreementStatus.EXPIRING:
            return self.filter(end_date__gte=today, end_date__lte=soon)
        if status == AgreementStatus.ACTIVE:
            return self.filter(end_date__gt=soon)
        return self


class Agreement(models.Model):
    """A memorandum of understanding (MoU) or cooperation agreement (PKS) with one office."""

    class Kind(models.TextChoices):
        MOU = "mou", _("Memorandum of understanding (MoU)")
        PKS = "pks", _("Cooperation agreement (PKS)")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner organisation"), on_delete=models.PROTECT,
        related_name="agreements",
    )
    office = models.ForeignKey(
        "bapas.Office", verbose_name=_("office"), on_delete=models.PROTECT,
        related_name="partner_agreements",
    )
    kind = models.CharField(_("type"), max_length=3, choices=Kind.choices, default=Kind.PKS)
    number = models.CharField(_("agreement number"), max_length=150)
    title = models.CharField(_("title"), max_length=255)
    parties = models.TextField(
        _("parties"), blank=True, help_text=_("The signing parties, one per line.")
    )
    start_date = models.DateField(_("valid from"))
    end_date = models.DateField(_("valid until"))
    document = models.FileField(
        _("signed document"), storage=private_storage, upload_to="partners/agreements/%Y/",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    history = HistoricalRecords()
    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement (MoU/PKS)")
        verbose_name_plural = _("agreements (MoU/PKS)")
        ordering = ["-end_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="agreement_end_not_before_start",
            )
        ]
        indexes = [models.Index(fields=["partner", "office", "end_date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def status(self) -> str:
        return agreement_status_for(self.end_date)

    def get_status_display(self) -> str:
        return AgreementStatus(self.status).label

    @property
    def status_badge(self) -> str:
        return AGREEMENT_BADGES[self.status]

    @property
    def days_left(self) -> int:
        return (self.end_date - timezone.localdate()).days

    @property
    def party_list(self) -> list[str]:
        return [line.strip() for line in self.parties.splitlines() if line.strip()]
