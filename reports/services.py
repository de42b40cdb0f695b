"""Requesting, generating and storing reports.

Every request creates a new ``GeneratedReport`` row (regenerating keeps earlier versions). Office
and regional reports are rendered by a Celery worker (``reports.tasks.generate_report``), queued
once the request's transaction commits; client documents are rendered at once by the same
function. Rendering claims the row with a conditional UPDATE (queued → rendering), so two
workers never render the same report, and a row only becomes *ready* with its file, size and
SHA-256 checksum once the file is completely stored: a half-written file is never offered.
"""

from __future__ import annotations

import hashlib
import logging
import os
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bapas.models import Office, RegionalOffice, Role, User

from .figures import month_bounds, previous_month
from .models import CLIENT_KINDS, GeneratedReport, ReportKind, ReportStatus

logger = logging.getLogger(__name__)

MONTHLY_KINDS = (ReportKind.MONTHLY_PDF, ReportKind.MONTHLY_XLSX)
REGIONAL_KIND_PAIR = (ReportKind.REGIONAL_PDF, ReportKind.REGIONAL_XLSX)
# A row left "rendering" longer than the hard task time limit lost its worker: take it over.
STALE_RENDERING_AFTER = timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 300) + 60)
ERROR_MAX_CHARS = 2000


# --- Validation ------------------------------------------------------------------------------

def validate_month(year: int, month: int, today: date | None = None) -> tuple[date, date]:
    """The first and last day of a month that has started; a clear error otherwise."""
    today = today or timezone.localdate()
    if not 1 <= month <= 12 or year < 2000:
        raise ValidationError(_("Choose a month, for example 10/2026."), code="invalid")
    first, last = month_bounds(year, month)
    if first > today:
        raise ValidationError(
            _("%(month)s is in the future: a monthly report can only cover a month that has "
              "started.") % {"month": date_format(first, "YEAR_MONTH_FORMAT")},
            code="future",
        )
    return first, last


def validate_period(first: date | None, last: date | None, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if first and last and last < first:
        raise ValidationError({"period_end": ValidationError(
            _("The period ends before it starts: the end date must be on or after %(start)s.")
            % {"start": date_format(first, "SHORT_DATE_FORMAT")}, code="reversed")})
    if last and last > today:
        raise ValidationError({"period_end": ValidationError(
            _("The period cannot end in the future (today is %(today)s).")
            % {"today": date_format(today, "SHORT_DATE_FORMAT")}, code="future")})


# --- Requests --------------------------------------------------------------------------------

def _enqueue(report: GeneratedReport) -> None:
    transaction.on_commit(partial(_send_to_worker, report.pk))


def _send_to_worker(report_id: int) -> None:
    """Hand the report to a worker. If the broker cannot be reached the row is marked failed
    at once (with the reason) instead of waiting forever in the queue; "generate a new
    version" retries it."""
    from .tasks import generate_report

    try:
        generate_report.delay(report_id)
    except Exception as exc:
        logger.exception("Report %s could not be queued", report_id)
        GeneratedReport.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
            status=ReportStatus.FAILED, finished_at=timezone.now(),
            error=f"Could not queue the task ({type(exc).__name__}: {exc})"[:ERROR_MAX_CHARS],
        )


def monthly_reports_request(*, office: Office, year: int, month: int, by: User | None,
                            scheduled: bool = False) -> list[GeneratedReport]:
    """Queue the month's PDF and XLSX for an office. A scheduled run skips what it already
    queued for that month, so running the schedule twice creates nothing twice."""
    first, last = validate_month(year, month)
    return _request_pair(MONTHLY_KINDS, {"office": office}, first, last, by, scheduled)


def regional_reports_request(*, regional_office: RegionalOffice, year: int, month: int,
                             by: User | None, scheduled: bool = False
                             ) -> list[GeneratedReport]:
    first, last = validate_month(year, month)
    return _request_pair(REGIONAL_KIND_PAIR, {"regional_office": regional_office}, first, last,
                         by, scheduled)


def _request_pair(kinds, issuer: dict, first: date, last: date, by, scheduled: bool
                  ) -> list[GeneratedReport]:
    created = []
    with transaction.atomic():
        for kind in kinds:
            if scheduled and GeneratedReport.objects.filter(
                kind=kind, period_start=first, parameters__scheduled=True,
                status__in=[ReportStatus.QUEUED, ReportStatus.RENDERING, ReportStatus.READY],
                **issuer,
            ).exists():
                continue
            report = GeneratedReport.objects.create(
                kind=kind, period_start=first, period_end=last, requested_by=by,
                parameters={"scheduled": True} if scheduled else {}, **issuer,
            )
            _enqueue(report)
            created.append(report)
    return created


def office_supervisor(office_id: int, *, prefer: User | None = None) -> User | None:
    """Who acknowledges (mengetahui) a client document: the requesting supervisor, else the
    office's first active supervisor, else its head."""
    if prefer is not None and prefer.role == Role.SUPERVISOR and prefer.office_id == office_id:
        return prefer
    people = User.objects.filter(office_id=office_id, is_active=True,
                                 role__in=[Role.SUPERVISOR, Role.HEAD])
    return (people.filter(role=Role.SUPERVISOR).order_by("full_name").first()
            or people.order_by("full_name").first())


def client_document_request(*, kind: str, order, by: User, period_start: date | None = None,
                            period_end: date | None = None, evaluation: str = "",
                            recommendation: str = "") -> GeneratedReport:
    """Create a client document and render it at once (a PK waits for it at the desk)."""
    if kind not in CLIENT_KINDS:
        raise ValueError(f"{kind} is not a client document")
    if kind == ReportKind.PROGRESS:
        validate_period(period_start, period_end)
        if not evaluation.strip() or not recommendation.strip():
            raise ValidationError(_("Write the evaluation and the recommendation."))
    else:  # card and contract cover the supervision period
        period_start, period_end = order.supervision_start, order.supervision_end
    signer = by if by.role == Role.PK else order.assigned_pk
    acknowledger = office_supervisor(order.client.office_id, prefer=by)
    parameters = {
        "signer_id": signer.pk if signer else None,
        "acknowledger_id": acknowledger.pk if acknowledger else None,
    }
    if kind == ReportKind.PROGRESS:
        parameters.update(evaluation=evaluation.strip(), recommendation=recommendation.strip())
    with transaction.atomic():
        report = GeneratedReport.objects.create(
            kind=kind, office_id=order.client.office_id, client_id=order.client_id, order=order,
            period_start=period_start, period_end=period_end, parameters=parameters,
            requested_by=by,
        )
    return report_generate(report.pk) or report


def report_regenerate(*, report: GeneratedReport, by: User) -> GeneratedReport:
    """A new version with the same subject and parameters; the earlier ones stay."""
    with transaction.atomic():
        copy = GeneratedReport.objects.create(
            kind=report.kind, office_id=report.office_id,
            regional_office_id=report.regional_office_id, client_id=report.client_id,
            order_id=report.order_id, period_start=report.period_start,
            period_end=report.period_end,
            parameters={k: v for k, v in report.parameters.items() if k != "scheduled"},
            requested_by=by,
        )
        if not copy.is_client_document:
            _enqueue(copy)
    if copy.is_client_document:
        return report_generate(copy.pk) or copy
    return copy


def schedule_monthly_reports(today: date | None = None) -> list[GeneratedReport]:
    """The beat's monthly run: last month's reports for every active office and region."""
    year, month = previous_month(today or timezone.localdate())
    created = []
    for office in Office.objects.filter(is_active=True).order_by("pk"):
        created += monthly_reports_request(office=office, year=year, month=month, by=None,
                                           scheduled=True)
    regions = RegionalOffice.objects.filter(offices__is_active=True).distinct().order_by("pk")
    for regional_office in regions:
        created += regional_reports_request(regional_office=regional_office, year=year,
                                            month=month, by=None, scheduled=True)
    return created


# --- Generation ------------------------------------------------------------------------------

def claim(report_id: int) -> bool:
    """Queued (or abandoned while rendering) → rendering, in one conditional UPDATE."""
    now = timezone.now()
    claimable = Q(status=ReportStatus.QUEUED) | Q(
        status=ReportStatus.RENDERING, started_at__lt=now - STALE_RENDERING_AFTER
    )
    return GeneratedReport.objects.filter(claimable, pk=report_id).update(
        status=ReportStatus.RENDERING, started_at=now, error=""
    ) == 1


def report_generate(report_id: int) -> GeneratedReport | None:
    """Render and store one report; ``None`` when another worker has it (or it is final)."""
    if not claim(report_id):
        return None
    report = GeneratedReport.objects.select_related(
        "office", "office__regional_office", "regional_office", "client", "order"
    ).get(pk=report_id)
    try:
        from .documents import render_document

        data = render_document(report)
        if not data:
            raise RuntimeError("The renderer produced an empty file.")
        name, checksum = store_file(report, data)
    except Exception as exc:
        logger.exception("Report %s (%s) failed", report_id, report.kind)
        GeneratedReport.objects.filter(pk=report_id, status=ReportStatus.RENDERING).update(
            status=ReportStatus.FAILED, finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS],
        )
        report.refresh_from_db()
        return report
    done = GeneratedReport.objects.filter(
        pk=report_id, status=ReportStatus.RENDERING, started_at=report.started_at
    ).update(status=ReportStatus.READY, file=name, checksum=checksum, size=len(data),
             finished_at=timezone.now(), error="")
    if not done:  # taken over meanwhile: the other rendering wins, ours is removed
        _storage().delete(name)
    report.refresh_from_db()
    return report


def _storage():
    return GeneratedReport._meta.get_field("file").storage


def file_stem(report: GeneratedReport) -> str:
    """Where the file lives: kind, issuer, period, a piece of the code. No client names."""
    if report.client_id:
        subject = f"client-{report.client_id}"
    else:
        subject = slugify(report.issuer_name)[:60] or "office"
    period = f"{report.period_start:%Y-%m}"
    if report.period_end and (report.period_start.year, report.period_start.month) != (
        report.period_end.year, report.period_end.month
    ):
        period += f"_{report.period_end:%Y-%m}"
    now = timezone.localtime()
    return (f"reports/{now:%Y/%m}/{report.kind}-{subject}-{period}-"
            f"{slugify(report.verification_code)[:10]}")


def store_file(report: GeneratedReport, data: bytes) -> tuple[str, str]:
    """Write under a temporary name, check what landed, then move it to its final name."""
    storage = _storage()
    checksum = hashlib.sha256(data).hexdigest()
    stem = file_stem(report)
    temp_name = storage.save(f"{stem}.part", ContentFile(data))
    try:
        digest = hashlib.sha256()
        with storage.open(temp_name, "rb") as handle:
            for chunk in iter(lambda: handle.read(65536), b""):
                digest.update(chunk)
        if digest.hexdigest() != checksum:
            raise OSError("The stored file differs from the rendered one.")
        final_name = storage.get_available_name(f"{stem}.{report.extension}")
        try:
            os.replace(storage.path(temp_name), storage.path(final_name))
        except NotImplementedError:  # a storage without local paths: copy, then drop the temp
            with storage.open(temp_name, "rb") as handle:
                final_name = storage.save(final_name, handle)
            storage.delete(temp_name)
    except BaseException:
        if storage.exists(temp_name):
            storage.delete(temp_name)
        raise
    return final_name, checksum
