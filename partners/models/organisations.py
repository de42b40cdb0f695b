from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bapas.scoping import office_ids_for


class PartnerQuerySet(models.QuerySet):
    def for_user(self, user):
        """Officers see the partners of their offices; partner staff only their own."""
        if getattr(user, "partner_id", None):
            return self.filter(pk=user.partner_id)
        office_ids = office_ids_for(user)
        if office_ids is None:
            return self
        return self.filter(offices__in=office_ids).distinct()


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
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
