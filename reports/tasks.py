"""Celery tasks of the reports app: thin wrappers that take ids and call the services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="reports.tasks.generate_report", acks_late=True, ignore_result=True)
def generate_report(report_id: int) -> str | None:
    """Render one queued report. Safe to run twice: only the worker that claims it renders."""
    report = services.report_generate(report_id)
    return report.status if report is not None else None


@shared_task(name="reports.tasks.schedule_monthly_reports", acks_late=True, ignore_result=True)
def schedule_monthly_reports() -> int:
    """Beat, on the 1st at 06:00 (Asia/Jakarta): queue last month's reports for every office."""
    return len(services.schedule_monthly_reports())
