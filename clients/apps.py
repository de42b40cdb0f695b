from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients and supervision")

    def ready(self) -> None:
        from bapas.audit import register_history

        from . import models, timeline_sources  # noqa: F401  (registers timeline sources)

        register_history(models.Client, "office")
        register_history(models.SupervisionOrder, "client__office")
        register_history(models.Contact, "order__client__office")
        register_history(models.CaseNote, "client__office")
        register_history(models.ClientDocument, "client__office")
        register_history(models.WarningLetter, "order__client__office")
        register_history(models.RevocationProposal, "order__client__office")
        register_history(models.ReportingInterval, "office")
