from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BapasConfig(AppConfig):
    name = "bapas"
    verbose_name = _("Bapas")

    def ready(self) -> None:
        from . import audit, checks  # noqa: F401  (registers system checks)
        from .models import Office, User

        audit.register_history(Office, "id")
        audit.register_history(User, "office")
