from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .offices import Office


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The access log is append-only")

    def delete(self):
        raise PermissionError("The access log is append-only")


class AccessLog(models.Model):
    """Who opened, downloaded or exported which sensitive record, when and from where.

    Append-only: rows are written by ``bapas.audit.log_access`` and never changed or deleted
    through the application (UU PDP breach reporting depends on it).
    """

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        DOWNLOAD = "download", _("downloaded")
        EXPORT = "export", _("exported")
        PRINT = "print", _("printed")
        SEARCH = "search", _("searched")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="access_logs",
        null=True,
    )
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, null=True, blank=True
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.PROTECT, null=True
    )
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    object_label = models.CharField(_("record"), max_length=255, blank=True)
    path = models.CharField(_("address"), max_length=500)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"]),
            models.Index(fields=["user", "-at"]),
            models.Index(fields=["office", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log is append-only")
