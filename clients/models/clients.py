"""The client register (klien pemasyarakatan)."""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bapas.models import Role
from bapas.scoping import ALL, office_ids_for

from .regions import District, Province, Regency, Village
from .storage import private_storage

nik_validator = RegexValidator(r"^\d{16}$", _("NIK must be exactly 16 digits."))
phone_validator = RegexValidator(
    r"^\+?[0-9 ()-]{8,20}$", _("Enter a phone number such as 0812-3456-7890 or +62 812 3456 7890.")
)

# Spelling variants that offices type for the same name; folded for search and duplicate checks.
NAME_VARIANTS = [
    (r"\b(muhammad|mohammad|mohamad|muhamad|muchammad|mochammad|mochamad|mohd|moch|much|moh|muh"
     r"|mhd|m)\b",
     "muhammad"),
    (r"\b(abdul|abd)\b", "abdul"),
    (r"\b(achmad|ahmad|akhmad)\b", "ahmad"),
    (r"\b(nur|noor|nurul)\b", "nur"),
    (r"oe", "u"),
    (r"dj", "j"),
    (r"tj", "c"),
]


def normalise_name(name: str) -> str:
    """Fold case, punctuation and common spelling variants: 'Moh. Rizky' -> 'muhammad rizky'."""
    value = re.sub(r"[^a-z ]", " ", name.lower())
    value = re.sub(r"\s+", " ", value).strip()
    for pattern, replacement in NAME_VARIANTS:
        value = re.sub(pattern, replacement, value)
    return value


class ClientQuerySet(models.QuerySet):
    def for_user(self, user):
        """Clients the user may open. PKs: their caseload and cover; managers: the office."""
        office_ids = office_ids_for(user)
        if user.is_authenticated and user.role == Role.REGIONAL:
            return self.none()  # regional viewers get aggregated statistics only
        qs = self if office_ids is ALL else self.filter(office_id__in=office_ids)
        if user.is_authenticated and user.role == Role.PK:
            from .orders import SupervisionOrder

            mine = SupervisionOrder.objects.filter(client=OuterRef("pk")).filter(
                Q(assigned_pk=user) | Q(cover_pk=user)
            )
            qs = qs.filter(Exists(mine))
        return qs

    def editable_by(self, user):
        """Clients whose case the user may change (a PK's cover is read-only)."""
        qs = self.for_user(user)
        if user.role == Role.PK:
            from .orders import SupervisionOrder

            mine = SupervisionOrder.objects.filter(client=OuterRef("pk"), assigned_pk=user)
            qs = qs.filter(Exists(mine))
        return qs


class Client(models.Model):
    class Sex(models.TextChoices):
        MALE = "L", _("Male")
        FEMALE = "P", _("Female")

    class Religion(models.TextChoices):
        ISLAM = "islam", _("Islam")
        PROTESTANT = "protestant", _("Protestant Christian")
        CATHOLIC = "catholic", _("Catholic")
        HINDU = "hindu", _("Hindu")
        BUDDHIST = "buddhist", _("Buddhist")
        CONFUCIAN = "confucian", _("Confucian")
        OTHER = "other", _("Other belief")

    class Education(models.TextChoices):
        NONE = "none", _("No schooling")
        SD = "sd", _("Primary school (SD)")
        SMP = "smp", _("Junior high school (SMP)")
        SMA = "sma", _("Senior high school (SMA/SMK)")
        DIPLOMA = "diploma", _("Diploma")
        BACHELOR = "s1", _("Bachelor (S1)")
        POSTGRADUATE = "s2", _("Postgraduate (S2/S3)")

    class MaritalStatus(models.TextChoices):
        SINGLE = "single", _("Single")
        MARRIED = "married", _("Married")
        DIVORCED = "divorced", _("Divorced")
        WIDOWED = "widowed", _("Widowed")

    class Section(models.TextChoices):
        ADULT = "adult", _("Adult")
        CHILD = "child", _("Child")

    office = models.ForeignKey(
        "bapas.Office", verbose_name=_("office"), on_delete=models.PROTECT, related_name="clients"
    )
    register_number = models.CharField(_("register number"), max_length=30)
    full_name = models.CharField(_("full name"), max_length=200)
    aliases = models.CharField(_("aliases"), max_length=200, blank=True)
    search_name = models.CharField(max_length=200, editable=False, db_index=True)
    nik = models.CharField(
        _("NIK"), max_length=16, unique=True, null=True, blank=True, validators=[nik_validator]
    )
    birth_place = models.CharField(_("place of birth"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    religion = models.CharField(_("religion"), max_length=20, choices=Religion.choices, blank=True)
    education = models.CharField(
        _("education"), max_length=20, choices=Education.choices, blank=True
    )
    marital_status = models.CharField(
        _("marital status"), max_length=20, choices=MaritalStatus.choices, blank=True
    )
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    address_street = models.CharField(_("street address"), max_length=255, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, null=True, blank=True
    )
    regency = models.ForeignKey(
        Regency, verbose_name=_("regency/city"), on_delete=models.PROTECT, null=True, blank=True
    )
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True
    )
    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    whatsapp = models.CharField(
        _("WhatsApp number"), max_length=20, blank=True, validators=[phone_validator]
    )
    photo = models.ImageField(
        _("photo"), storage=private_storage, upload_to="clients/photos/", blank=True
    )
    guarantor_name = models.CharField(_("guarantor's name"), max_length=200, blank=True)
    guarantor_relationship = models.CharField(_("relationship"), max_length=100, blank=True)
    guarantor_phone = models.CharField(
        _("guarantor's phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    guarantor_address = models.TextField(_("guarantor's address"), blank=True)
    section = models.CharField(
        _("section"), max_length=10, choices=Section.choices, default=Section.ADULT,
        help_text=_("Child clients committed the offence under 18 (UU 11/2012)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    history = HistoricalRecords()
    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "register_number"], name="client_register_number_unique"
            )
        ]
        indexes = [
            models.Index(fields=["office", "search_name"]),
            models.Index(fields=["office", "full_name"]),  # office lists sorted by name
            # the office's client ids without reading the table (counts, office-wide joins)
            models.Index(fields=["office", "id"], name="clients_client_office_id_idx"),
            models.Index(fields=["office", "section"]),
            models.Index(fields=["birth_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.register_number})"

    def save(self, *args, **kwargs):
        self.search_name = normalise_name(f"{self.full_name} {self.aliases}")[:200]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("clients:detail", args=[self.pk])

    @property
    def is_child(self) -> bool:
        return self.section == self.Section.CHILD

    def age_on(self, day: date | None = None) -> int:
        day = day or timezone.localdate()
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    @property
    def age(self) -> int:
        return self.age_on()

    @property
    def address_display(self) -> str:
        parts = [self.address_street]
        if self.rt or self.rw:
            parts.append(f"RT {self.rt or '-'}/RW {self.rw or '-'}")
        for region in (self.village, self.district, self.regency, self.province):
            if region is not None:
                parts.append(str(region))
        return ", ".join(p for p in parts if p)
