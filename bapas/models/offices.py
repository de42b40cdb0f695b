from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

nip_validator = RegexValidator(
    r"^\d{18}$", _("NIP must be exactly 18 digits (the civil-servant number).")
)


class RegionalOffice(models.Model):
    """A Kanwil (regional office of the ministry); offices report to it."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    ministry_line = models.CharField(
        _("ministry line"),
        max_length=200,
        default="KEMENTERIAN IMIGRASI DAN PEMASYARAKATAN REPUBLIK INDONESIA",
    )

    class Meta:
        verbose_name = _("regional office (Kanwil)")
        verbose_name_plural = _("regional offices (Kanwil)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Office(models.Model):
    """One Balai Pemasyarakatan. Every case record belongs to exactly one office."""

    class OfficeClass(models.TextChoices):
        CLASS_I = "I", _("Class I")
        CLASS_II = "II", _("Class II")

    name = models.CharField(_("name"), max_length=200, unique=True)
    office_class = models.CharField(
        _("office class"), max_length=4, choices=OfficeClass.choices, default=OfficeClass.CLASS_II
    )
    city = models.CharField(_("city"), max_length=100)
    address = models.TextField(_("address"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    regional_office = models.ForeignKey(
        RegionalOffice,
        verbose_name=_("regional office"),
        on_delete=models.PROTECT,
        related_name="offices",
    )
    letterhead_lines = models.TextField(
        _("letterhead lines"),
        blank=True,
        help_text=_("Extra lines printed under the office name, one per line (website, fax)."),
    )
    head_name = models.CharField(_("head of office's name"), max_length=200, blank=True)
    head_nip = models.CharField(
        _("head of office's NIP"), max_length=18, blank=True, validators=[nip_validator]
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("office (Bapas)")
        verbose_name_plural = _("offices (Bapas)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("office_detail", args=[self.pk])

    @property
    def letterhead_extra(self) -> list[str]:
        return [line.strip() for line in self.letterhead_lines.splitlines() if line.strip()]
