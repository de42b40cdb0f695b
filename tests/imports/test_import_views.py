"""The clients import pages: who may use them, the bad inputs, the preview, the whole flow."""

from __future__ import annotations

import io
import os
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bapas.models import AccessLog, ImportBatch, Role
from clients.imports.clients import ClientImporter
from clients.imports.engine import import_upload
from clients.models import Client
from tests.factories import ClientFactory, UserFactory

from .conftest import client_row, headings, nik_for, xlsx_file

pytestmark = pytest.mark.django_db

ALLOWED = ["operator", "supervisor", "head"]
REFUSED = ["pk", "regional", "admin"]


@pytest.fixture
def batch(users, office):
    rows = [client_row(1), client_row(2, NIK="123")]
    return import_upload(importer=ClientImporter(office=office, by=users["operator"]),
                         upload=xlsx_file(rows))


def _pages(batch):
    return [
        ("get", reverse("clients:imports")),
        ("get", reverse("clients:import_template")),
        ("get", reverse("clients:import_upload")),
        ("get", reverse("clients:import_preview", args=[batch.pk])),
        ("get", reverse("clients:import_progress", args=[batch.pk])),
        ("get", reverse("clients:import_file", args=[batch.pk])),
        ("get", reverse("clients:import_report", args=[batch.pk, "csv"])),
        ("post", reverse("clients:import_recheck", args=[batch.pk])),
        ("post", reverse("clients:import_confirm", args=[batch.pk])),
    ]


@pytest.mark.parametrize("role", ALLOWED)
def test_operators_and_managers_of_the_office_may_use_every_page(role, users, batch, login):
    browser = login(users[role])
    for method, url in _pages(batch):
        response = getattr(browser, method)(url)
        assert response.status_code in {200, 302}, (role, url, response.status_code)


@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_are_refused(role, users, batch, login):
    browser = login(users[role])
    for method, url in _pages(batch):
        assert getattr(browser, method)(url).status_code == 403, (role, url)
    assert not Client.objects.exists()


def test_partner_staff_are_not_told_the_pages_exist(users, batch, login):
    browser = login(users["partner"])
    for method, url in _pages(batch):
        assert getattr(browser, method)(url).status_code == 404, url
    assert not Client.objects.exists()


def test_another_offices_import_is_not_found(users, other_office, batch, login):
    stranger = UserFactory(role=Role.OPERATOR, office=other_office, email="op2@test.local")
    browser = login(stranger)
    for method, url in _pages(batch)[3:]:
        assert getattr(browser, method)(url).status_code == 404, url
    assert browser.get(reverse("clients:imports")).status_code == 200
    assert batch.original_name not in browser.get(reverse("clients:imports")).content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client, batch):
    response = client.get(reverse("clients:import_preview", args=[batch.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_template_has_the_sheets_headings_example_and_allowed_values(users, login):
    response = login(users["operator"]).get(reverse("clients:import_template"))
    assert response["Content-Disposition"] == 'attachment; filename="template-impor-klien.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Klien", "Kontak", "Pilihan"]
    klien = book["Klien"]
    assert [cell.value for cell in klien[1]] == headings()
    assert klien["A2"].value == "Budi Santoso"
    assert klien.data_validations.dataValidation  # drop-downs for the coded columns
    allowed = {(row[0], row[1]) for row in book["Pilihan"].iter_rows(values_only=True)
               if row[0] and row[1]}
    assert ("Klien: Program", "PB") in allowed
    assert ("Klien: Program", "Pidana Pengawasan") in allowed
    assert ("Klien: Tingkat Risiko", "Tinggi") in allowed
    assert ("Klien: Jenis Kelamin (L/P)", "P") in allowed
    assert ("Kontak: Hasil", "Tidak hadir") in allowed


def test_the_template_offers_the_offices_own_pks_and_its_example_names_one(users, login,
                                                                          other_office):
    stranger = UserFactory(role=Role.PK, office=other_office, email="pk9@test.local")
    leaver = UserFactory(role=Role.PK, office=users["pk"].office, email="gone@test.local",
                         is_active=False)
    response = login(users["operator"]).get(reverse("clients:import_template"))
    book = load_workbook(io.BytesIO(response.content))
    offered = {row[1] for row in book["Pilihan"].iter_rows(values_only=True)
               if row[0] == "Klien: Email PK"}
    assert {users["pk"].email, users["pk2"].email} <= offered
    assert stranger.email not in offered and leaver.email not in offered
    column = headings().index("Email PK") + 1
    example = book["Klien"].cell(row=2, column=column).value
    assert example in offered


def test_the_filled_template_imports_without_touching_the_example(users, login, office):
    """What an operator does first: download, keep the example row, add one of their own."""
    browser = login(users["operator"])
    book = load_workbook(io.BytesIO(browser.get(reverse("clients:import_template")).content))
    sheet = book["Klien"]
    row = [cell.value for cell in sheet[2]]
    row[headings().index("Nama Lengkap")] = "Sari Wulandari"
    row[headings().index("NIK")] = nik_for(77, born=date(1985, 8, 17))  # the example's birth date
    row[headings().index("Nomor SK")] = "PAS-77.PK.05.09/2025"
    sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    response = browser.post(reverse("clients:import_upload"),
                            {"file": SimpleUploadedFile("isi.xlsx", output.getvalue())})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    errors = list(batch.rows.values_list("errors", flat=True))
    assert (batch.new_count, batch.error_count) == (1, 0), errors
    # The example's supervision runs past today: the row does not read as an order to close.
    assert not batch.rows.get().warnings


@pytest.mark.parametrize(("name", "data", "message"), [
    ("foto.xlsx", b"\xff\xd8\xff\xe0 a photo", "is not an Excel workbook"),
    ("data.csv", os.urandom(1000), "not a CSV text file"),
    ("laporan.pdf", b"%PDF-1.7", "are not accepted"),
    ("junk.csv", b"x" * (10 * 1024 * 1024 + 1), "too large"),
])
def test_a_file_that_cannot_be_imported_gets_a_clear_message_and_nothing_is_stored(
    name, data, message, users, login
):
    response = login(users["operator"]).post(
        reverse("clients:import_upload"), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content and "invalid-feedback" in content
    assert not ImportBatch.objects.exists()


def test_missing_columns_are_listed_on_the_upload_page(users, login):
    columns = [c for c in headings() if c not in {"Tanggal Lahir", "Program"}] + ["Tgl Lhr"]
    response = login(users["operator"]).post(
        reverse("clients:import_upload"), {"file": xlsx_file([client_row(1)], columns=columns)})
    content = response.content.decode()
    assert "lacks required columns: “Tanggal Lahir”, “Program”" in content
    assert "“Tgl Lhr”" in content
    assert not ImportBatch.objects.exists()


def test_no_file_chosen_says_so(users, login):
    response = login(users["operator"]).post(reverse("clients:import_upload"), {})
    assert "Choose the file to import." in response.content.decode()


def test_the_preview_shows_every_rows_verdict_and_the_reason_per_cell(users, office, login):
    ClientFactory(office=office, full_name="Siti Aminah", nik=nik_for(8))
    browser = login(users["operator"])
    response = browser.post(reverse("clients:import_upload"), {"file": xlsx_file([
        client_row(1),
        client_row(8, **{"Nama Lengkap": "Bambang Irawan"}),
        client_row(3, **{"Nama Lengkap": "=cmd|' /C calc'!A0"}),
        client_row(4, **{"Nama Lengkap": "<script>alert(1)</script>"}),
    ])})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    page = browser.get(batch.get_absolute_url())
    content = page.content.decode()
    assert page["Cache-Control"].startswith("no-store")
    assert "already registered for Siti Aminah" in content
    assert "treats it as a formula" in content
    assert "Contains HTML markup" in content
    assert "<script>alert(1)</script>" not in content  # shown as text, escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert (batch.new_count, batch.error_count) == (1, 3)
    errors_only = browser.get(batch.get_absolute_url(), {"status": "error"}).content.decode()
    assert "Klien Uji 001" not in errors_only and "Bambang Irawan" in errors_only
    assert AccessLog.objects.filter(action="view", object_id=str(batch.pk)).exists()


def test_a_file_with_errors_is_not_imported_unless_the_errors_are_skipped(batch, users,
                                                                          login):
    browser = login(users["operator"])
    url = reverse("clients:import_confirm", args=[batch.pk])
    signature = batch.error_report["signature"]
    response = browser.post(url, {"signature": signature}, follow=True)
    assert "1 rows have errors, so nothing was imported" in response.content.decode()
    assert not Client.objects.exists()
    response = browser.post(url, {"signature": signature, "skip_errors": "1"}, follow=True)
    assert "Imported 1 rows" in response.content.decode()
    assert Client.objects.count() == 1


def _rows_page(browser, batch, **query):
    return browser.get(batch.get_absolute_url(), query).content.decode()


def test_the_preview_is_paginated_by_25_with_the_same_queries_for_3_or_30_rows(
    users, office, login
):
    browser = login(users["operator"])
    small = import_upload(importer=ClientImporter(office=office, by=users["operator"]),
                          upload=xlsx_file([client_row(i) for i in range(1, 4)]))
    large = import_upload(importer=ClientImporter(office=office, by=users["operator"]),
                          upload=xlsx_file([client_row(i) for i in range(1, 31)]))
    _rows_page(browser, small)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as few:
        _rows_page(browser, small)
    with CaptureQueriesContext(connection) as many:
        first = _rows_page(browser, large)
    assert len(few) == len(many)
    assert "Klien Uji 025" in first and "Klien Uji 026" not in first
    second = _rows_page(browser, large, page=2)
    assert "Klien Uji 026" in second and "Klien Uji 030" in second


def test_the_list_of_imports_is_paginated_with_constant_queries(users, office, login):
    browser = login(users["supervisor"])

    def make(count):
        for _ in range(count):
            import_upload(importer=ClientImporter(office=office, by=users["operator"]),
                          upload=xlsx_file([client_row(1)]))

    make(3)
    browser.get(reverse("clients:imports"))
    with CaptureQueriesContext(connection) as few:
        browser.get(reverse("clients:imports"))
    make(27)
    with CaptureQueriesContext(connection) as many:
        page = browser.get(reverse("clients:imports")).content.decode()
    assert len(few) == len(many)
    assert page.count("caseload.xlsx") == 25
    assert browser.get(reverse("clients:imports"), {"page": 2}).content.decode().count(
        "caseload.xlsx") == 5


def test_the_progress_fragment_polls_while_busy_and_reloads_when_done(batch, users, login):
    browser = login(users["operator"])
    url = reverse("clients:import_progress", args=[batch.pk])
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
    busy = browser.get(url, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in busy.content.decode()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.DONE)
    done = browser.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_the_row_report_and_the_original_file_are_logged_downloads(batch, users, login):
    browser = login(users["head"])
    report = browser.get(reverse("clients:import_report", args=[batch.pk, "csv"]))
    text = report.content.decode("utf-8-sig")
    assert "A NIK has exactly 16 digits" in text and "Klien Uji 001" in text
    original = browser.get(reverse("clients:import_file", args=[batch.pk]))
    assert b"".join(original.streaming_content)[:2] == b"PK"
    actions = set(AccessLog.objects.filter(user=users["head"]).values_list("action", flat=True))
    assert {"export", "download"} <= actions


def test_an_operator_imports_a_filled_in_template_fixes_mistakes_and_reimports_nothing(
    users, office, login
):
    """The issue's check: template, 30 rows with mistakes, errors, fixes, import, caseload."""
    operator = login(users["operator"])
    template = load_workbook(io.BytesIO(operator.get(reverse("clients:import_template")).content))
    sheet = template["Klien"]
    columns = [cell.value for cell in sheet[1]]

    def fill(rows):
        for index, values in enumerate(rows, start=3):  # under the example row
            for position, heading in enumerate(columns, start=1):
                sheet.cell(row=index, column=position, value=values.get(heading))
        output = io.BytesIO()
        template.save(output)
        return SimpleUploadedFile("klien-jember.xlsx", output.getvalue())

    rows = [client_row(i, **{"Email PK": users["pk"].email}) for i in range(1, 31)]
    rows[4]["NIK"] = "35090115069"  # too short
    rows[9]["Program"] = "PBB"
    rows[14]["Mulai Bimbingan"] = "tgl 5"
    operator.post(reverse("clients:import_upload"), {"file": fill(rows)})
    first = ImportBatch.objects.get()
    assert (first.new_count, first.error_count) == (27, 3)
    assert "template's example" in " ".join(first.error_report["notes"])
    content = operator.get(first.get_absolute_url(), {"status": "error"}).content.decode()
    assert "16 digits" in content and "PBB" in content and "tgl 5" in content

    rows[4]["NIK"], rows[9]["Program"], rows[14]["Mulai Bimbingan"] = (
        nik_for(5), "PB", client_row(15)["Mulai Bimbingan"])
    operator.post(reverse("clients:import_upload"), {"file": fill(rows)})
    fixed = ImportBatch.objects.latest("pk")
    assert (fixed.new_count, fixed.error_count) == (30, 0)
    response = operator.post(reverse("clients:import_confirm", args=[fixed.pk]),
                             {"signature": fixed.error_report["signature"]}, follow=True)
    assert "Imported 30 rows" in response.content.decode()

    caseload = login(users["pk"]).get(reverse("clients:caseload")).content.decode()
    assert "Klien Uji 001" in caseload and "Klien Uji 025" in caseload

    login(users["operator"]).post(reverse("clients:import_upload"), {"file": fill(rows)})
    again = ImportBatch.objects.latest("pk")
    assert (again.new_count, again.matched_count, again.existing_count) == (0, 0, 30)
    assert Client.objects.count() == 30
    listing = login(users["operator"]).get(reverse("clients:imports")).content.decode()
    assert listing.count("klien-jember.xlsx") == 3


def test_old_import_files_are_deleted_and_the_record_stays(users, login, batch, settings):
    from datetime import timedelta

    from django.utils import timezone

    from clients.imports.engine import purge_old_files
    from clients.imports.tasks import purge_files

    recent = import_upload(importer=ClientImporter(office=batch.office, by=users["operator"]),
                           upload=xlsx_file([client_row(3)], name="baru.xlsx"))
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - timedelta(days=settings.IMPORT_FILE_DAYS + 1))
    batch.refresh_from_db()
    stored = batch.file.name
    assert batch.file.storage.exists(stored)

    assert purge_files.delay().get() == 1
    batch.refresh_from_db()
    recent.refresh_from_db()
    assert not batch.file and not batch.file.storage.exists(stored)
    assert recent.file and recent.file.storage.exists(recent.file.name)  # younger: kept
    # The record stays for review; an import never confirmed is closed with the reason.
    assert batch.original_name == "caseload.xlsx" and batch.rows.count() == 2
    assert batch.status == ImportBatch.Status.FAILED
    assert "deleted" in batch.error_report["failure"]

    browser = login(users["operator"])
    page = browser.get(reverse("clients:import_preview", args=[batch.pk])).content.decode()
    assert "has been deleted" in page
    assert reverse("clients:import_file", args=[batch.pk]) not in page
    assert browser.get(reverse("clients:import_file", args=[batch.pk])).status_code == 404
    response = browser.post(reverse("clients:import_recheck", args=[batch.pk]), follow=True)
    assert "Upload the file again" in response.content.decode()
    assert purge_old_files() == 0  # nothing left to delete
