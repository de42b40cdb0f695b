"""Generation in Celery: queued → rendering → ready (or failed), claims, versions, the schedule."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from bapas.models import Office
from reports import documents, services
from reports.models import GeneratedReport, ReportKind, ReportStatus
from reports.tasks import generate_report, schedule_monthly_reports
from tests.factories import OfficeFactory

pytestmark = pytest.mark.django_db


def storage_root() -> Path:
    return Path(GeneratedReport._meta.get_field("file").storage.location)


def leftovers(report: GeneratedReport) -> list[Path]:
    code = report.verification_code[:10]
    return [p for p in storage_root().rglob("*") if p.is_file() and code in p.name
            and p.suffix == ".part"]


@pytest.fixture
def queued(office, users):
    return GeneratedReport.objects.create(kind=ReportKind.MONTHLY_XLSX, office=office,
                                          period_start=date(2026, 10, 1),
                                          period_end=date(2026, 10, 31),
                                          requested_by=users["supervisor"])


def test_request_queues_reports_and_the_worker_renders_them_after_commit(
    office, users, django_capture_on_commit_callbacks, tmp_path
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reports = services.monthly_reports_request(office=office, year=2026, month=10,
                                                   by=users["supervisor"])
    assert {r.kind for r in reports} == {ReportKind.MONTHLY_PDF, ReportKind.MONTHLY_XLSX}
    assert all(r.status == ReportStatus.QUEUED and not r.file for r in reports)
    assert len(callbacks) == 2  # nothing is sent to the broker before the rows exist
    for callback in callbacks:
        callback()
    for report in reports:
        report.refresh_from_db()
        assert report.status == ReportStatus.READY
        data = report.file.read()
        assert report.size == len(data) > 0
        assert report.checksum == hashlib.sha256(data).hexdigest()
        assert report.started_at and report.finished_at and not report.error
        assert report.file.name.endswith("." + report.extension)
        assert report.file_matches_checksum()
        assert Path(report.file.path).is_relative_to(tmp_path)


def test_the_row_is_rendering_while_the_renderer_runs(queued, monkeypatch):
    seen = []
    real = documents.render_document

    def spy(report, **kwargs):
        seen.append(GeneratedReport.objects.get(pk=report.pk).status)
        return real(report, **kwargs)

    monkeypatch.setattr(documents, "render_document", spy)
    assert generate_report(queued.pk) == ReportStatus.READY
    assert seen == [ReportStatus.RENDERING]


def test_only_one_worker_claims_a_report(queued):
    assert services.claim(queued.pk) is True
    assert services.claim(queued.pk) is False
    # The second delivery of the same task renders nothing and changes nothing.
    assert generate_report(queued.pk) is None
    queued.refresh_from_db()
    assert queued.status == ReportStatus.RENDERING and not queued.file


def test_a_ready_report_is_never_rendered_again(queued):
    generate_report(queued.pk)
    queued.refresh_from_db()
    name, checksum = queued.file.name, queued.checksum
    assert generate_report(queued.pk) is None
    queued.refresh_from_db()
    assert (queued.file.name, queued.checksum) == (name, checksum)


def test_a_rendering_abandoned_by_a_dead_worker_is_taken_over(queued):
    GeneratedReport.objects.filter(pk=queued.pk).update(
        status=ReportStatus.RENDERING, started_at=timezone.now() - timedelta(hours=1))
    assert generate_report(queued.pk) == ReportStatus.READY


def test_a_weasyprint_failure_leaves_a_failed_row_with_the_error_and_no_file(
    office, users, monkeypatch, django_capture_on_commit_callbacks
):
    from weasyprint import HTML

    def broken(self, *args, **kwargs):
        raise RuntimeError("cairo: out of memory while laying out page 2")

    monkeypatch.setattr(HTML, "write_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        reports = services.monthly_reports_request(office=office, year=2026, month=10,
                                                   by=users["supervisor"])
    pdf = GeneratedReport.objects.get(pk=next(r.pk for r in reports
                                              if r.kind == ReportKind.MONTHLY_PDF))
    assert pdf.status == ReportStatus.FAILED
    assert "RuntimeError: cairo: out of memory" in pdf.error
    assert not pdf.file and not pdf.checksum and pdf.size == 0 and pdf.finished_at
    assert not pdf.is_ready and not leftovers(pdf)
    # The XLSX does not depend on WeasyPrint and is ready.
    xlsx = GeneratedReport.objects.get(kind=ReportKind.MONTHLY_XLSX, pk__in=[r.pk for r in reports])
    assert xlsx.status == ReportStatus.READY


def test_a_file_that_lands_damaged_is_removed_and_never_offered(queued, monkeypatch):
    storage = GeneratedReport._meta.get_field("file").storage
    real_save = storage.save

    def truncating_save(name, content, *args, **kwargs):
        data = content.read()
        from django.core.files.base import ContentFile

        return real_save(name, ContentFile(data[: len(data) // 2]), *args, **kwargs)

    monkeypatch.setattr(storage, "save", truncating_save)
    assert generate_report(queued.pk) == ReportStatus.FAILED
    queued.refresh_from_db()
    assert "differs" in queued.error and not queued.file and not leftovers(queued)


def test_regenerating_keeps_every_earlier_version(queued, users,
                                                   django_capture_on_commit_callbacks):
    generate_report(queued.pk)
    queued.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        second = services.report_regenerate(report=queued, by=users["head"])
    second.refresh_from_db()
    assert second.pk != queued.pk and second.status == ReportStatus.READY
    assert list(queued.versions()) == [queued, second] == list(second.versions())
    assert second.file.name != queued.file.name
    queued.refresh_from_db()
    assert queued.file_matches_checksum()  # the first version's file is untouched
    assert second.verification_code != queued.verification_code


def test_the_schedule_queues_last_month_for_every_active_office_once(
    office, other_office, django_capture_on_commit_callbacks
):
    OfficeFactory(name="Bapas Lama", is_active=False, regional_office=office.regional_office)
    with django_capture_on_commit_callbacks(execute=False):
        created = services.schedule_monthly_reports(today=date(2026, 11, 1))
    kinds = sorted((r.kind, r.office_id or 0, r.regional_office_id or 0) for r in created)
    assert kinds == sorted([
        (ReportKind.MONTHLY_PDF, office.pk, 0), (ReportKind.MONTHLY_XLSX, office.pk, 0),
        (ReportKind.MONTHLY_PDF, other_office.pk, 0),
        (ReportKind.MONTHLY_XLSX, other_office.pk, 0),
        (ReportKind.REGIONAL_PDF, 0, office.regional_office_id),
        (ReportKind.REGIONAL_XLSX, 0, office.regional_office_id),
    ])
    assert {(r.period_start, r.period_end) for r in created} == {(date(2026, 10, 1),
                                                                  date(2026, 10, 31))}
    assert all(r.requested_by is None and r.parameters == {"scheduled": True} for r in created)
    # Beat may fire twice (a restart): nothing is queued twice.
    with django_capture_on_commit_callbacks(execute=False):
        assert services.schedule_monthly_reports(today=date(2026, 11, 1)) == []
    assert GeneratedReport.objects.count() == 6


def test_the_schedule_task_runs_on_the_first_of_january_for_december(
    office, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2027, 1, 1))
    with django_capture_on_commit_callbacks(execute=False):
        count = schedule_monthly_reports()
    assert count == GeneratedReport.objects.filter(period_start=date(2026, 12, 1)).count() > 0
    assert Office.objects.filter(is_active=True).count() * 2 + 2 == count


def test_beat_runs_the_schedule_at_six_on_the_first_in_jakarta():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values()
                 if e["task"] == "reports.tasks.schedule_monthly_reports")
    assert entry["schedule"] == crontab(minute=0, hour=6, day_of_month=1)
    assert settings.CELERY_TIMEZONE == "Asia/Jakarta"
    assert generate_report.acks_late and schedule_monthly_reports.acks_late


@pytest.mark.parametrize("year,month", [(2026, 12), (2027, 1)])
def test_a_month_in_the_future_is_refused(office, users, year, month, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 11, 27))
    with pytest.raises(ValidationError) as error:
        services.monthly_reports_request(office=office, year=year, month=month,
                                         by=users["supervisor"])
    assert error.value.code == "future"
    assert not GeneratedReport.objects.exists()


def test_the_current_month_may_be_reported_so_far(office, users, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 11, 27))
    with django_capture_on_commit_callbacks(execute=False):
        reports = services.monthly_reports_request(office=office, year=2026, month=11,
                                                   by=users["supervisor"])
    assert len(reports) == 2


def test_a_reversed_or_future_period_is_refused():
    today = timezone.localdate()
    with pytest.raises(ValidationError) as reversed_period:
        services.validate_period(date(2026, 10, 31), date(2026, 10, 1))
    assert reversed_period.value.error_dict["period_end"][0].code == "reversed"
    with pytest.raises(ValidationError) as future:
        services.validate_period(today, today + timedelta(days=1))
    assert future.value.error_dict["period_end"][0].code == "future"


def test_a_broker_that_cannot_be_reached_fails_the_report_visibly(
    office, users, monkeypatch, django_capture_on_commit_callbacks
):
    def unreachable(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(generate_report, "delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        reports = services.monthly_reports_request(office=office, year=2026, month=10,
                                                   by=users["supervisor"])
    for report in reports:
        report.refresh_from_db()
        assert report.status == ReportStatus.FAILED
        assert "broker down" in report.error and not report.file
