"""The demo data, loaded once for the smoke crawl's module and rolled back at its end.

``seed_demo`` takes seconds: the module fixture opens a transaction, seeds, adds a few files
the demo lacks (so the crawl meets downloads) and rolls everything back when the module is done.
Each test still runs in its own savepoint (pytest-django's ``db``), so what one role's forms
change does not reach the next role's crawl.
"""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

PDF_BYTES = b"%PDF-1.4\n% smoke crawl file\n%%EOF\n"


def _files_to_download() -> None:
    """Files the demo does not create, so the crawl also meets downloads: a document of a
    referred client, the office's monthly report and that client's progress report."""
    from bapas.models import Office, User
    from clients.models import ClientDocument
    from partners.models import Referral
    from reports.models import GeneratedReport, ReportKind, ReportStatus

    pk1 = User.objects.get(email="pk1@demo.local")
    supervisor = User.objects.get(email="kasubsi@demo.local")
    jember = Office.objects.get(name="Bapas Kelas II Jember")
    referral = (Referral.objects.filter(order__assigned_pk=pk1).select_related("order__client")
                .order_by("pk").first())
    client = referral.order.client
    doc = ClientDocument(client=client, kind=ClientDocument.Kind.DECREE, title="SK PB",
                         document_date=timezone.localdate(), content_type="application/pdf",
                         size=len(PDF_BYTES), uploaded_by=pk1)
    doc.file.save("sk.pdf", ContentFile(PDF_BYTES), save=False)
    doc.save()
    today = timezone.localdate()
    for kind, owner in ((ReportKind.MONTHLY_PDF, None), (ReportKind.PROGRESS, client)):
        report = GeneratedReport(
            kind=kind, office=jember, client=owner, order=referral.order if owner else None,
            period_start=today.replace(day=1) - timedelta(days=1 if today.day == 1 else 0),
            period_end=today, status=ReportStatus.READY, requested_by=supervisor,
            finished_at=timezone.now(),
        )
        report.file.save("laporan.pdf", ContentFile(PDF_BYTES), save=False)
        report.size = len(PDF_BYTES)
        report.save()


QUIET_LOGGERS = ("django.request", "django.security", "weasyprint", "weasyprint.progress",
                 "fontTools", "bapas", "clients", "partners", "meetings", "reports")


@dataclass
class DemoFiles:
    root: Path
    seconds: float = 0.0  # how long seeding took


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """seed_demo once for the module, inside a transaction rolled back at the end; each test
    runs in its own savepoint (pytest-django's ``db``)."""
    root = tmp_path_factory.mktemp("smoke-demo")
    overrides = override_settings(
        PRIVATE_STORAGE_ROOT=root / "private", MEDIA_ROOT=root / "media", MFA_REQUIRED=False,
        CELERY_TASK_ALWAYS_EAGER=True,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    overrides.enable()
    # The crawl provokes 403s, 404s and PDFs by the hundred; their log lines drown the report.
    quiet = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    for name in quiet:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    started = time.monotonic()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
            _files_to_download()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            overrides.disable()
            _restore_loggers(quiet)
            raise
    try:
        yield DemoFiles(root, time.monotonic() - started)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        overrides.disable()
        _restore_loggers(quiet)


def _restore_loggers(levels: dict[str, int]) -> None:
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def demo(_demo, db, settings):
    settings.PRIVATE_STORAGE_ROOT = _demo.root / "private"
    settings.MEDIA_ROOT = _demo.root / "media"
    return _demo
