from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Coordination meetings")

    def ready(self) -> None:
        from bapas.audit import register_history
        from clients.timeline import register_source

        from . import models
        from .timeline import meetings_source

        register_history(models.Meeting, "office")
        register_history(models.AgendaItem, "meeting__office")
        register_history(models.Invitation, "meeting__office")
        register_history(models.MeetingClient, "meeting__office")
        register_history(models.Attendance, "meeting__office")
        register_history(models.Decision, "meeting__office")
        register_history(models.Attachment, "meeting__office")
        register_history(models.ActionItem, "meeting__office")
        register_history(models.CalendarToken, "user__office")
        register_source("meetings", meetings_source)
