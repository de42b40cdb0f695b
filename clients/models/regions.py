"""Indonesian administrative regions, loaded from the idn-area-data package (clients/data)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name.title()


class Regency(models.Model):
    code = models.CharField(_("code"), max_length=5, primary_key=True)  # "35.09"
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="regencies")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("regency or city")
        verbose_name_plural = _("regencies and cities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name.title()


class District(models.Model):
    code = models.CharField(_("code"), max_length=8, primary_key=True)  # "35.09.01"
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("district (kecamatan)")
        verbose_name_plural = _("districts (kecamatan)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Village(models.Model):
    code = models.CharField(_("code"), max_length=13, primary_key=True)  # "35.09.01.2001"
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="villages")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("village (kelurahan/desa)")
        verbose_name_plural = _("villages (kelurahan/desa)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
