"""The public verification page behind the QR code: authentic, tampered, unknown."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import GeneratedReport, ReportKind, ReportStatus
from reports.services import client_document_request, report_generate
from tests.factories import ClientFactory, OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def monthly(office):
    report = GeneratedReport.objects.create(kind=ReportKind.MONTHLY_XLSX, office=office,
                                            period_start=date(2026, 10, 1),
                                            period_end=date(2026, 10, 31))
    report_generate(report.pk)
    report.refresh_from_db()
    return report


@pytest.fixture
def progress(users, office):
    client = ClientFactory(office=office, full_name="Bambang Priyono", nik="3509011506900077")
    order = OrderFactory(client=client, assigned_pk=users["pk"],
                         supervision_start=date(2026, 1, 1), offence="Penganiayaan")
    return client_document_request(kind=ReportKind.PROGRESS, order=order, by=users["pk"],
                                   period_start=date(2026, 9, 1), period_end=date(2026, 9, 30),
                                   evaluation="Rahasia evaluasi.", recommendation="Lanjut.")


def verify_url(report) -> str:
    return reverse("reports:verify", args=[report.verification_code])


def test_the_qr_code_address_is_the_verification_page(monthly, settings):
    assert monthly.verification_url() == settings.SITE_URL + verify_url(monthly)


def test_an_untouched_document_is_authentic_without_logging_in(client, monthly):
    response = client.get(verify_url(monthly))
    assert response.status_code == 200
    assert response.context["authentic"] is True
    page = response.content.decode()
    assert monthly.checksum in page and "Bapas Kelas II Jember" in page
    assert str(monthly.get_kind_display()) in page
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_a_client_document_shows_no_personal_data(client, progress):
    assert progress.status == ReportStatus.READY
    response = client.get(verify_url(progress))
    assert response.context["authentic"] is True
    page = response.content.decode()
    for secret in ("Bambang", "Priyono", "3509011506900077", "Penganiayaan", "Rahasia evaluasi",
                   progress.client.register_number):
        assert secret not in page
    assert "Bapas Kelas II Jember" in page and progress.checksum in page


def test_a_tampered_file_is_not_authentic(client, monthly):
    path = monthly.file.path
    with open(path, "r+b") as handle:
        handle.seek(100)
        byte = handle.read(1)
        handle.seek(100)
        handle.write(bytes([byte[0] ^ 0xFF]))
    response = client.get(verify_url(monthly))
    assert response.status_code == 200
    assert response.context["authentic"] is False
    page = response.content.decode()
    assert "alert-danger" in page and "alert-success" not in page


def test_a_missing_file_is_not_authentic(client, monthly):
    monthly.file.storage.delete(monthly.file.name)
    assert client.get(verify_url(monthly)).context["authentic"] is False


def test_a_failed_report_is_not_authentic(client, office):
    report = GeneratedReport.objects.create(kind=ReportKind.MONTHLY_PDF, office=office,
                                            period_start=date(2026, 10, 1),
                                            period_end=date(2026, 10, 31),
                                            status=ReportStatus.FAILED, error="boom")
    response = client.get(verify_url(report))
    assert response.context["authentic"] is False
    assert "boom" not in response.content.decode()


def test_an_unknown_code_is_a_404(client, db):
    assert client.get(reverse("reports:verify", args=["no-such-code"])).status_code == 404


def test_a_received_file_can_be_compared_with_the_record(client, monthly):
    original = monthly.file.open("rb").read()
    same = client.post(verify_url(monthly),
                       {"file": SimpleUploadedFile("laporan.xlsx", original)})
    assert same.context["compared"] is True
    altered = client.post(verify_url(monthly),
                          {"file": SimpleUploadedFile("laporan.xlsx", original + b"x")})
    assert altered.context["compared"] is False
    assert GeneratedReport.objects.count() == 1  # nothing is stored
