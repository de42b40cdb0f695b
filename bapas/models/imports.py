"""Spreadsheet imports: one ``ImportBatch`` per uploaded file, one ``ImportRow`` per data row.

The batch keeps who uploaded what and when (the original file stays in private storage, so an
import can be reviewed later), its state and its counts. The rows keep what the preview showed:
the cell values as typed, the verdict (new, matches an existing record, already there, error) and
the reasons per cell. Feature apps (``clients.imports``, ``partners.imports``) read and write
them; nothing here knows about clients or partners.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .offices import Office


def _private_storage():
    from django.core.files.storage import storages

    return storages["private"]


def progress_cache_key(batch_id: int) -> str:
    # Progress is reported through the shared cache while the import runs, because the import
    # itself is one database transaction that other connections cannot see into.
    return f"bapas:import-progress:{batch_id}"


class ImportBatch(models.Model):
    class Kind(models.TextChoices):
        CLIENTS = "clients", _("Clients, orders and contacts")
        PARTNERS = "partners", _("Partners and agreements")

    class Status(models.TextChoices):
        CHECKING = "checking", _("checking the file")
        PREVIEW = "preview", _("checked, awaiting confirmation")
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="imports"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), storage=_private_storage, upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size"), default=0)
    checksum = models.CharField(_("SHA-256 checksum"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PREVIEW
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    matched_count = models.PositiveIntegerField(_("matching existing records"), default=0)
    existing_count = models.PositiveIntegerField(_("already imported"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    imported_count = models.PositiveIntegerField(_("imported"), default=0)
    # File-level problems, the failure of a commit, and a summary of what was created.
    error_report = models.JSONField(_("error report"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    started_at = models.DateTimeField(_("import started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["office", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        name = "clients:import_preview" if self.kind == self.Kind.CLIENTS else (
            "partners:import_preview"
        )
        return reverse(name, args=[self.pk])

    @property
    def is_open(self) -> bool:
        """Still waiting for the user to confirm (or to upload a corrected file)."""
        return self.status == self.Status.PREVIEW

    @property
    def is_busy(self) -> bool:
        return self.status in {self.Status.CHECKING, self.Status.QUEUED, self.Status.RUNNING}

    @property
    def importable_count(self) -> int:
        return self.new_count + self.matched_count

    def current_progress(self) -> int:
        """The running check's or import's progress from the cache; the stored value otherwise."""
        if self.status in {self.Status.CHECKING, self.Status.RUNNING}:
            value = cache.get(progress_cache_key(self.pk))
            if value is not None:
                return int(value)
        return 100 if self.status == self.Status.DONE else self.progress


class ImportRow(models.Model):
    """One row of an uploaded sheet as the preview judged it."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        MATCH = "match", _("matches an existing record")
        EXISTS = "exists", _("already there, nothing to add")
        ERROR = "error", _("error")
        IMPORTED = "imported", _("imported")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    sheet = models.CharField(_("sheet"), max_length=40)
    number = models.PositiveIntegerField(_("row"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    values = models.JSONField(_("values"), default=dict, blank=True)  # {column: text}
    errors = models.JSONField(_("errors"), default=dict, blank=True)  # {column or "": [text]}
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    target = models.CharField(_("record"), max_length=300, blank=True)  # what it created/matched

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        ordering = ["batch", "sheet", "number"]
        indexes = [models.Index(fields=["batch", "status"])]

    def __str__(self) -> str:
        return f"{self.sheet} {self.number}: {self.status}"
