"""The life of an import, the same for every kind: upload, preview, confirm, commit.

1. ``import_upload`` checks the file (size, real type, headings), judges every row and stores the
   batch (with the original file, in private storage) and its rows: that is the preview.
2. ``import_confirm`` judges the file again; when the verdicts changed since the preview (someone
   registered one of the clients meanwhile, say) it refuses, and the preview shows the new state.
   Otherwise small files are imported at once, large ones queued for a Celery worker.
3. ``import_run`` claims the batch with a conditional UPDATE (so a double click or a redelivered
   task never imports twice), imports every valid row in ONE transaction (all or nothing) and
   records the outcome. Progress goes through the cache while the transaction runs.

An importer (``clients.imports.clients.ClientImporter``, ``partners.imports.PartnerImporter``)
knows its sheets, judges rows and writes them through the apps' services.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bapas.models import ImportBatch, ImportRow, Office, User
from bapas.models.imports import progress_cache_key

from .reader import Sheet, Workbook, read_bytes, read_upload
from .values import (
    CellError,
    HeaderMap,
    SheetSpec,
    check_header,
    display,
    find_header,
    parse_choice,
    parse_date,
    parse_nik,
    parse_time,
    text,
)

logger = logging.getLogger(__name__)

# More importable rows than this run in the background (the preview page shows the progress).
BACKGROUND_ABOVE = 500
IMPORTERS = {
    ImportBatch.Kind.CLIENTS: "clients.imports.clients.ClientImporter",
    ImportBatch.Kind.PARTNERS: "partners.imports.PartnerImporter",
}
# A batch left "running" longer than this lost its worker (the transaction was rolled back).
STALE_RUNNING_AFTER = timedelta(hours=1)
ROW_BATCH = 1000
MAX_ERROR_CHARS = 2000

S = ImportRow.Status


@dataclass
class RowResult:
    """One row as judged: the verdict, the reasons per column, and what a commit needs."""

    sheet: str
    number: int
    values: dict[str, str] = field(default_factory=dict)
    status: str = S.NEW
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    summary: str = ""
    target: str = ""
    payload: Any = None

    def error(self, column: str, message: str) -> None:
        self.errors.setdefault(column, [])
        if message not in self.errors[column]:
            self.errors[column].append(str(message))

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def importable(self) -> bool:
        return self.ok and self.status in {S.NEW, S.MATCH}


@dataclass
class Judgement:
    rows: list[RowResult]
    notes: list[str] = field(default_factory=list)

    def finish(self) -> None:
        for row in self.rows:
            if row.errors:
                row.status = S.ERROR

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def importable(self) -> list[RowResult]:
        return [row for row in self.rows if row.importable]

    def signature(self) -> str:
        digest = hashlib.sha256()
        for row in self.rows:
            digest.update(f"{row.sheet}|{row.number}|{row.status}\n".encode())
        return digest.hexdigest()


# A sheet's rows as parsed: the row's verdict so far and its values by column name.
ParsedRows = list[tuple[RowResult, dict]]


class Importer:
    """What every importer provides. ``office`` is where the data goes; ``by`` who imports.

    A file has a main sheet (one record a row: a client and their order, a partner) and, in an
    .xlsx workbook, an optional second sheet whose rows refer to the main one's (contacts of
    those clients, agreements of those partners); ``sheets`` holds their two specs. The engine
    reads and judges them in order; an importer supplies its rules through ``is_example``,
    ``example_note``, ``judge_main``, ``judge_second`` and ``commit``.
    """

    kind: str = ""
    capability: str = ""
    sheets: tuple = ()

    def __init__(self, *, office: Office, by: User):
        self.office, self.by = office, by

    def check(self, workbook: Workbook) -> int:
        """Check the headings of every sheet (ValidationError naming what is missing);
        return the number of data rows."""
        return sum(len(data) for _spec, _header, data in self._sheets_of(workbook))

    def judge(self, workbook: Workbook) -> Judgement:
        """Every row of the file with its verdict: the main sheet's first, then the second's."""
        sheets = self._sheets_of(workbook)
        judgement = Judgement(rows=[])
        main_rows = self._parsed_rows(*sheets[0], notes=judgement.notes)
        found = self.judge_main(main_rows)
        judgement.rows.extend(row for row, _parsed in main_rows)
        if len(sheets) > 1:
            rows = self._parsed_rows(*sheets[1])
            self.judge_second(rows, main_rows, found)
            judgement.rows.extend(row for row, _parsed in rows)
        judgement.finish()
        return judgement

    def is_example(self, sheet: str, parsed: dict) -> bool:  # pragma: no cover - abstract
        """Whether a row is the template's example, which the judgement leaves out."""
        raise NotImplementedError

    def example_note(self, number: int) -> str:  # pragma: no cover - abstract
        """What the preview says of the main sheet's example row when it left it out."""
        raise NotImplementedError

    def judge_main(self, rows: ParsedRows) -> Any:  # pragma: no cover - abstract
        """Judge the main sheet's rows; returns what ``judge_second`` needs of them."""
        raise NotImplementedError

    def judge_second(self, rows: ParsedRows, main_rows: ParsedRows,
                     found: Any) -> None:  # pragma: no cover - abstract
        """Judge the second sheet's rows against the main sheet's (``found``: what
        ``judge_main`` returned)."""
        raise NotImplementedError

    def commit(self, judgement: Judgement, progress: Callable[[int, int], None]) -> dict:
        raise NotImplementedError  # pragma: no cover - abstract

    def _sheets_of(self, workbook: Workbook) -> list[tuple[SheetSpec, HeaderMap, list]]:
        """(spec, heading map, data rows) of the sheets to read; checks their headings.

        The main sheet is found by its name, else it is the first (or the CSV file); the second
        is read only from a workbook that has it with rows.
        """
        main_spec, second_spec = self.sheets
        sheet = workbook.sheet(main_spec.name) or workbook.sheets[0]
        label = _("the sheet “%(name)s”") % {"name": sheet.name} if workbook.fmt == "xlsx" \
            else _("the file")
        found = [(main_spec, *sheet_rows(main_spec, sheet, label))]
        second = workbook.sheet(second_spec.name) if workbook.fmt == "xlsx" else None
        if second is not None and second is not sheet and second.rows:
            label = _("the sheet “%(name)s”") % {"name": second.name}
            found.append((second_spec, *sheet_rows(second_spec, second, label)))
        return found

    def _parsed_rows(self, spec: SheetSpec, header: HeaderMap, data: list,
                     notes: list[str] | None = None) -> ParsedRows:
        """Every data row parsed, without the template's example (noted in ``notes`` if given)."""
        rows = []
        for number, cells in data:
            row, parsed = parse_row(spec, header, number, cells, spec.name)
            if self.is_example(spec.name, parsed):
                if notes is not None:
                    notes.append(self.example_note(number))
                continue
            rows.append((row, parsed))
        return rows


# --- Reading rows -------------------------------------------------------------------------------


def sheet_rows(spec: SheetSpec, sheet: Sheet, label: str) -> tuple[HeaderMap, list]:
    """The heading row (or a ValidationError naming the missing columns) and the data rows."""
    header = check_header(spec, find_header(spec, sheet.rows), label)
    return header, [(n, cells) for n, cells in sheet.rows if n > header.row_number]


def parse_row(spec: SheetSpec, header: HeaderMap, number: int, cells: list,
              sheet: str) -> tuple[RowResult, dict]:
    """Every cell of a row parsed by its column's kind; problems recorded per column.

    A cell that cannot be used is ``None`` in the parsed values (its column has an error);
    a column that is not in the file is empty.
    """
    row = RowResult(sheet=sheet, number=number)
    parsed: dict[str, Any] = {}
    for column in spec.columns:
        position = header.positions.get(column.name)
        raw = cells[position] if position is not None and position < len(cells) else None
        if position is not None:
            row.values[column.heading] = display(raw)
        empty = None if column.kind in {"date", "time"} else ""
        try:
            if column.kind == "date":
                value = parse_date(raw)
            elif column.kind == "time":
                value = parse_time(raw)
            elif column.kind == "choice":
                value = parse_choice(raw, column)
            elif column.kind == "nik":
                value, warnings = parse_nik(raw)
                row.warnings.extend(warnings)
            elif column.kind == "email":
                value = text(raw).lower()
            else:
                value = text(raw, phone=column.kind == "phone")
        except CellError as exc:
            row.error(column.heading, str(exc))
            parsed[column.name] = None
            continue
        if value in (None, "") and column.required and not column.blank_ok:
            row.error(column.heading, _("Fill in this column."))
        parsed[column.name] = value if value not in (None, "") else empty
    return row, parsed


def add_model_errors(row: RowResult, error: ValidationError, columns: dict[str, str]) -> None:
    """Model and service errors (keyed by field) next to their columns; the rest on the row.

    A column that already has an error (it could not be read) keeps only that one.
    """
    already = set(row.errors)
    items = error.message_dict.items() if hasattr(error, "error_dict") else [
        ("", error.messages)]
    for field_name, messages in items:
        column = columns.get(field_name, "")
        if column and column in already:
            continue
        for message in messages:
            row.error(column, message)


def importer_for(batch: ImportBatch, by: User) -> Importer:
    return import_string(IMPORTERS[batch.kind])(office=batch.office, by=by)


# --- Upload and preview -------------------------------------------------------------------------


def _store_rows(batch: ImportBatch, judgement: Judgement) -> None:
    batch.rows.all().delete()
    ImportRow.objects.bulk_create(
        [
            ImportRow(
                batch=batch, sheet=row.sheet, number=row.number, status=row.status,
                summary=row.summary[:300], values=row.values, errors=row.errors,
                warnings=row.warnings, target=row.target[:300],
            )
            for row in judgement.rows
        ],
        batch_size=ROW_BATCH,
    )


def _apply_counts(batch: ImportBatch, judgement: Judgement) -> None:
    batch.total_rows = len(judgement.rows)
    batch.new_count = judgement.count(S.NEW)
    batch.matched_count = judgement.count(S.MATCH)
    batch.existing_count = judgement.count(S.EXISTS)
    batch.error_count = judgement.count(S.ERROR)
    batch.error_report = {
        **{k: v for k, v in batch.error_report.items() if k not in {"notes", "signature"}},
        "notes": judgement.notes,
        "signature": judgement.signature(),
    }


EMPTY_MESSAGE = gettext_noop("The file has the right columns but no data rows.")


def import_upload(*, importer: Importer, upload) -> ImportBatch:
    """Check an uploaded file and store it as a batch with its judged rows (the preview).

    A file that is not a spreadsheet, too large, or lacks required columns raises
    ``ValidationError`` at once and nothing is stored. A file with more than
    ``BACKGROUND_ABOVE`` data rows is judged by a Celery worker (status "checking"); smaller ones
    right here.
    """
    workbook = read_upload(upload)
    data_rows = importer.check(workbook)
    if not data_rows:
        raise ValidationError(_(EMPTY_MESSAGE), code="empty")
    judgement = None
    if data_rows <= BACKGROUND_ABOVE:
        judgement = importer.judge(workbook)
        if not judgement.rows:
            raise ValidationError(_(EMPTY_MESSAGE), code="empty")
    upload.seek(0)
    content = upload.read()
    batch = ImportBatch(
        office=importer.office, kind=importer.kind, created_by=importer.by,
        original_name=Path(upload.name or "import").name[:255], size=len(content),
        checksum=hashlib.sha256(content).hexdigest(), total_rows=data_rows,
    )
    if judgement is None:
        batch.status = ImportBatch.Status.CHECKING
    else:
        _apply_counts(batch, judgement)
    extension = Path(upload.name or "").suffix.lower() or ".xlsx"
    with transaction.atomic():
        batch.file.save(f"{timezone.now():%Y%m%d%H%M%S}-{batch.checksum[:12]}{extension}",
                        ContentFile(content), save=False)
        try:
            batch.save()
            if judgement is not None:
                _store_rows(batch, judgement)
        except Exception:
            batch.file.delete(save=False)  # no orphan file without its row
            raise
        if judgement is None:
            from .tasks import check_import

            transaction.on_commit(partial(check_import.delay, batch.pk))
    return batch


def import_check(batch_id: int) -> ImportBatch | None:
    """Judge a large uploaded file (in the worker). Safe to run twice."""
    batch = ImportBatch.objects.filter(
        pk=batch_id, status=ImportBatch.Status.CHECKING).select_related(
        "office", "created_by").first()
    if batch is None:
        return None
    try:
        judgement = importer_for(batch, batch.created_by).judge(_read_batch_file(batch))
        if not judgement.rows:
            raise ValidationError(_(EMPTY_MESSAGE), code="empty")
        with transaction.atomic():
            _apply_counts(batch, judgement)
            batch.status = ImportBatch.Status.PREVIEW
            batch.save()
            _store_rows(batch, judgement)
    except ValidationError as exc:
        _fail(batch_id, _("The file could not be checked: %(reason)s")
              % {"reason": " ".join(exc.messages)})
    except Exception:
        logger.exception("Checking import %s failed", batch_id)
        _fail(batch_id, _("The file could not be checked: an unexpected error occurred. The "
                          "administrator can find the details in the server log."))
    batch.refresh_from_db()
    return batch


FILE_GONE_MESSAGE = gettext_noop(
    "The uploaded file was deleted %(days)d days after its upload, as every import file is "
    "(it holds personal data). Upload the file again.")


def _read_batch_file(batch: ImportBatch) -> Workbook:
    if not batch.file:
        raise ValidationError(_(FILE_GONE_MESSAGE) % {"days": settings.IMPORT_FILE_DAYS},
                              code="file_gone")
    with batch.file.open("rb") as handle:
        return read_bytes(batch.original_name, handle.read())


def import_refresh(batch: ImportBatch, importer: Importer) -> Judgement:
    """Judge the stored file again (the database may have changed) and update the preview."""
    judgement = importer.judge(_read_batch_file(batch))
    with transaction.atomic():
        _apply_counts(batch, judgement)
        batch.save()
        _store_rows(batch, judgement)
    return judgement


# --- Confirm and run ----------------------------------------------------------------------------

CHANGED_MESSAGE = gettext_noop(
    "The data changed since you checked this file (for example, someone registered one of "
    "these records meanwhile). Check the preview again, then confirm.")


def _check_importable(importable: int, errors: int, skip_errors: bool) -> None:
    if not importable:
        raise ValidationError(_("There is nothing to import: every row is either already "
                                "there or has an error."), code="nothing")
    if errors and not skip_errors:
        raise ValidationError(
            _("%(count)d rows have errors, so nothing was imported. Fix them in your file and "
              "upload it again, or tick “Skip the rows with errors” to import only the valid "
              "rows.") % {"count": errors}, code="errors")


def import_confirm(
    *, batch: ImportBatch, by: User, signature: str, skip_errors: bool = False
) -> ImportBatch:
    """Import the batch's valid rows: at once when small, in the background when large.

    ``signature`` is the preview the user saw; if the verdicts changed since, nothing is
    imported and a ValidationError says so (a small file's preview is updated at once; a large
    one's worker stops and the preview offers to check again). A file with rows in error is
    imported only when the user chose to skip them (``skip_errors``): by default nothing of a
    file with errors goes in.
    """
    if not batch.is_open:
        raise ValidationError(_("This import has already been confirmed."), code="state")
    if signature != batch.error_report.get("signature"):
        raise ValidationError(_(CHANGED_MESSAGE), code="changed")
    background = batch.importable_count > BACKGROUND_ABOVE
    judgement = None
    if background:
        _check_importable(batch.importable_count, batch.error_count, skip_errors)
    else:
        judgement = import_refresh(batch, importer_for(batch, by))
        if judgement.signature() != signature:
            raise ValidationError(_(CHANGED_MESSAGE), code="changed")
        _check_importable(len(judgement.importable), judgement.count(S.ERROR), skip_errors)
    report = {**batch.error_report, "confirmed": {"signature": signature,
                                                  "skip_errors": skip_errors}}
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(
        status=ImportBatch.Status.QUEUED, confirmed_by=by, confirmed_at=timezone.now(),
        progress=0, error_report=report,
    )
    if not claimed:
        raise ValidationError(_("This import has already been confirmed."), code="state")
    batch.refresh_from_db()
    if background:
        from .tasks import run_import

        transaction.on_commit(partial(run_import.delay, batch.pk))
        return batch
    return import_run(batch.pk, judgement=judgement) or batch


def _claim(batch_id: int) -> bool:
    stale = timezone.now() - STALE_RUNNING_AFTER
    return bool(
        ImportBatch.objects.filter(pk=batch_id)
        .filter(Q(status=ImportBatch.Status.QUEUED)
                | Q(status=ImportBatch.Status.RUNNING, started_at__lt=stale))
        .update(status=ImportBatch.Status.RUNNING, started_at=timezone.now(), progress=0)
    )


def _progress_reporter(batch_id: int) -> Callable[[int, int], None]:
    key = progress_cache_key(batch_id)
    last = {"value": -1}

    def report(done: int, total: int) -> None:
        value = min(99, int(done * 100 / total)) if total else 99
        if value != last["value"]:
            last["value"] = value
            cache.set(key, value, timeout=24 * 3600)

    cache.set(key, 0, timeout=24 * 3600)
    return report


def _mark_rows_imported(batch: ImportBatch, judgement: Judgement) -> None:
    done = {(row.sheet, row.number): row for row in judgement.importable}
    updated = []
    for stored in batch.rows.filter(status__in=[S.NEW, S.MATCH]).iterator(chunk_size=ROW_BATCH):
        row = done.get((stored.sheet, stored.number))
        if row is not None:
            stored.status = S.IMPORTED
            stored.target = row.target[:300]
            updated.append(stored)
    ImportRow.objects.bulk_update(updated, ["status", "target"], batch_size=ROW_BATCH)


def import_run(batch_id: int, *, judgement: Judgement | None = None) -> ImportBatch | None:
    """Import a confirmed batch in one transaction. Safe to call twice: only one run claims it.

    Returns the batch, or ``None`` when another run has it (or it is finished).
    """
    if not _claim(batch_id):
        return None
    batch = ImportBatch.objects.select_related("office", "confirmed_by").get(pk=batch_id)
    by = batch.confirmed_by or batch.created_by
    report = _progress_reporter(batch.pk)
    try:
        importer = importer_for(batch, by)
        with transaction.atomic():
            if judgement is None:
                # In the worker: judge the file again, as the database stands now, and import
                # only if the verdicts are still those the user confirmed.
                judgement = importer.judge(_read_batch_file(batch))
                confirmed = batch.error_report.get("confirmed", {})
                if judgement.signature() != confirmed.get("signature"):
                    raise ValidationError(_(CHANGED_MESSAGE), code="changed")
                _apply_counts(batch, judgement)
                _store_rows(batch, judgement)
            summary = importer.commit(judgement, report)
            _mark_rows_imported(batch, judgement)
            batch.imported_count = len(judgement.importable)
            batch.status = ImportBatch.Status.DONE
            batch.progress = 100
            batch.finished_at = timezone.now()
            batch.error_report = {**batch.error_report, "summary": summary}
            batch.save()
    except (ValidationError, PermissionDenied) as exc:
        messages = getattr(exc, "messages", None) or [str(exc) or _("permission denied")]
        _fail(batch_id, _("Nothing was imported: %(reason)s") % {"reason": " ".join(messages)})
    except Exception:
        logger.exception("Import %s failed", batch_id)
        _fail(batch_id, _("Nothing was imported: an unexpected error occurred. The "
                          "administrator can find the details in the server log."))
    finally:
        cache.delete(progress_cache_key(batch_id))
    batch.refresh_from_db()
    return batch


def import_reopen(batch: ImportBatch, by: User) -> Judgement:
    """After a failed import: judge the file again so it can be confirmed once more."""
    if batch.status != ImportBatch.Status.FAILED:
        raise ValidationError(_("Only a failed import can be checked again."), code="state")
    batch.status = ImportBatch.Status.PREVIEW
    batch.progress = 0
    batch.confirmed_by = batch.confirmed_at = batch.started_at = batch.finished_at = None
    batch.error_report = {k: v for k, v in batch.error_report.items()
                          if k not in {"failure", "confirmed"}}
    return import_refresh(batch, importer_for(batch, by))


def purge_old_files(*, days: int | None = None, now=None) -> int:
    """Delete the uploaded file of every import older than ``days`` (IMPORT_FILE_DAYS).

    A spreadsheet of a caseload holds the personal data of every client in it; once imported
    (or abandoned) it is not needed. The batch (who, when, file name, checksum, counts) and its
    rows stay for review. An import still waiting for confirmation is marked failed, with the
    reason. Imports at work (checking, queued, running) are left alone. Returns the number of
    files deleted.
    """
    days = settings.IMPORT_FILE_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    old = (ImportBatch.objects.filter(created_at__lt=cutoff).exclude(file="")
           .exclude(status__in=[ImportBatch.Status.CHECKING, ImportBatch.Status.QUEUED,
                                ImportBatch.Status.RUNNING]))
    deleted = 0
    for batch in old.iterator():
        batch.file.delete(save=False)
        fields = ["file"]
        if batch.status == ImportBatch.Status.PREVIEW:
            batch.status = ImportBatch.Status.FAILED
            batch.finished_at = timezone.now()
            batch.error_report = {**batch.error_report,
                                  "failure": _(FILE_GONE_MESSAGE) % {"days": days}}
            fields += ["status", "finished_at", "error_report"]
        batch.save(update_fields=fields)
        deleted += 1
    if deleted:
        logger.info("deleted the uploaded files of %d imports older than %d days", deleted, days)
    return deleted


def _fail(batch_id: int, message: str) -> None:
    batch = ImportBatch.objects.get(pk=batch_id)
    batch.status = ImportBatch.Status.FAILED
    batch.finished_at = timezone.now()
    batch.imported_count = 0
    batch.error_report = {**batch.error_report, "failure": message[:MAX_ERROR_CHARS]}
    batch.save()
