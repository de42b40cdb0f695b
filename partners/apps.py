from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners and referrals")

    def ready(self) -> None:
        from bapas.audit import register_history
        from clients.timeline import register_source

        from . import models
        from .timeline import referral_entries

        register_history(models.Partner, "history_relation__offices")
        register_history(models.PartnerContact, "partner__offices")
        register_history(models.Agreement, "office")
        register_history(models.Service, None)
        register_history(models.Referral, "order__client__office")
        register_history(models.ReferralGoal, "referral__order__client__office")
        register_history(models.ServiceSession, "referral__order__client__office")
        register_history(models.ServiceReport, "referral__order__client__office")
        register_source("referrals", referral_entries)
