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

        # A login only touches last_login (excluded from history); without this every login
        # would add an empty "changed" row to the user's history.
        from django.contrib.auth import user_logged_in
        from django.contrib.auth.models import update_last_login

        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(_update_last_login_without_history,
                               dispatch_uid="bapas_update_last_login")


def _update_last_login_without_history(sender, user, **kwargs) -> None:
    from django.utils import timezone

    type(user).objects.filter(pk=user.pk).update(last_login=timezone.now())
