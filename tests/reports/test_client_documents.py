"""The progress report, guidance card and contract: scoping, bad input and what is printed."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from bapas.models import AccessLog
from clients.models import ContactKind, Outcome
from partners.models import ReferralGoal, ReferralStatus, ServiceSession
from reports.models import GeneratedReport, ReportKind, ReportStatus
from tests.factories import ClientFactory, OrderFactory
from tests.reports.conftest import at, contact, pdf_text, referral, session

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(users, office, partner):
    """A client of users['pk'] with a quarter of contacts and one partner service."""
    client = ClientFactory(office=office, full_name="Rudi Hartono", nik="3509011506900321")
    order = OrderFactory(client=client, assigned_pk=users["pk"],
                         supervision_start=date(2026, 3, 1), supervision_end=date(2027, 3, 1),
                         special_conditions="Tidak keluar kota tanpa izin")
    users["pk"].nip = "198703212010121001"
    users["pk"].save()
    users["supervisor"].nip = "198005122005022001"
    users["supervisor"].save()
    contact(order, ContactKind.REPORT, at(2026, 7, 6), Outcome.ATTENDED)
    c = contact(order, ContactKind.HOME_VISIT, at(2026, 8, 12), Outcome.ATTENDED)
    c.notes = "Klien bekerja di bengkel pamannya"
    c.save()
    contact(order, ContactKind.REPORT, at(2026, 9, 7), Outcome.MISSED)
    contact(order, ContactKind.REPORT, at(2026, 9, 21), Outcome.EXCUSED)
    contact(order, ContactKind.PHONE, at(2026, 6, 2), Outcome.MISSED)  # before the period
    r = referral(order, partner, ReferralStatus.IN_PROGRESS, sent=at(2026, 7, 10),
                 officer=users["pk"])
    session(r, date(2026, 8, 1), ServiceSession.Attendance.ATTENDED, 90, users["pk"])
    goal = r.goals.first()
    goal.outcome, goal.outcome_note = ReferralGoal.Outcome.PARTLY, "Sudah mulai rutin"
    goal.save()
    return order


def url(order, name="reports:progress"):
    return reverse(name, args=[order.client_id]) + f"?order={order.pk}"


VALID = {"period_start": "01/07/2026", "period_end": "2026-09-30",
         "evaluation": "Klien kooperatif dan bekerja.", "recommendation": "Lanjut ke tahap akhir."}


@pytest.mark.parametrize("role,status", [
    ("pk", 200), ("supervisor", 200), ("head", 200), ("operator", 200), ("admin", 200),
    ("pk2", 404), ("other_pk", 404), ("partner", 404), ("regional", 403),
])
def test_who_may_open_a_clients_documents(login, users, case, role, status):
    assert login(users[role]).get(url(case)).status_code == status


def test_opening_the_page_is_logged(login, users, case):
    login(users["pk"]).get(url(case))
    assert AccessLog.objects.filter(action=AccessLog.Action.VIEW, user=users["pk"],
                                    object_id=str(case.client_id)).exists()


def test_an_order_of_another_client_is_a_404(login, users, case, office):
    other = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
    response = login(users["pk"]).get(reverse("reports:progress", args=[case.client_id])
                                      + f"?order={other.pk}")
    assert response.status_code == 404


def test_pk_prints_a_signed_confidential_progress_report(login, users, case, tmp_path):
    browser = login(users["pk"])
    response = browser.post(url(case), {**VALID, "order": case.pk})
    report = GeneratedReport.objects.get(kind=ReportKind.PROGRESS)
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.status == ReportStatus.READY
    assert (report.client, report.order, report.office) == (case.client, case, case.client.office)
    assert (report.period_start, report.period_end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert report.parameters["evaluation"] == VALID["evaluation"]
    text = pdf_text(report.file.read(), tmp_path)
    flat = " ".join(text.split())
    assert "RAHASIA" in text and "BAPAS KELAS II JEMBER" in text
    assert "Rudi Hartono" in text and "3509011506900321" in text
    assert "1 Juli 2026 \u2013 30 September 2026" in flat
    assert "6 Juli 2026" in text and "12 Agustus 2026" in text and "21 September 2026" in text
    assert "2 Juni 2026" not in text  # outside the period
    assert "Klien bekerja di bengkel pamannya" in flat
    assert "66,7%" in text  # 2 attended of 4 done, 1 excused
    assert "Pelatihan kerja" in text and "Dinas Sosial Kabupaten Jember" in flat
    assert "Sudah mulai rutin" in flat and "1 Agustus 2026" in text
    assert VALID["evaluation"] in flat and VALID["recommendation"] in flat
    assert users["pk"].full_name in text and "NIP 198703212010121001" in text
    assert users["supervisor"].full_name in text and "NIP 198005122005022001" in text
    assert report.verification_url() in flat
    download = browser.get(reverse("reports:download", args=[report.pk]))
    assert download.status_code == 200


def test_a_supervisor_writes_it_for_the_pk_who_signs_it(login, users, case, tmp_path):
    login(users["supervisor"]).post(url(case), {**VALID, "order": case.pk})
    report = GeneratedReport.objects.get()
    assert report.parameters["signer_id"] == users["pk"].pk
    assert report.parameters["acknowledger_id"] == users["supervisor"].pk


@pytest.mark.parametrize("changes,field,code", [
    ({"period_start": "2026-09-30", "period_end": "2026-07-01"}, "period_end", "reversed"),
    ({"period_end": "2099-01-31"}, "period_end", "future"),
    ({"period_start": "2025-01-01", "period_end": "2025-12-31"}, "period_end", "before_order"),
    ({"period_start": "31/13/2026"}, "period_start", "invalid"),
    ({"evaluation": "  "}, "evaluation", "required"),
    ({"recommendation": ""}, "recommendation", "required"),
])
def test_bad_input_is_refused_next_to_the_field_and_kept(login, users, case, changes, field,
                                                         code):
    data = {**VALID, **changes, "order": case.pk}
    response = login(users["pk"]).post(url(case), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error(field, code), form.errors
    page = response.content.decode()
    assert escape(form.errors[field][0]) in page
    assert escape(data["evaluation"]) in page  # the typed text is not lost
    assert not GeneratedReport.objects.exists()


def test_operators_may_not_write_progress_reports(login, users, case):
    assert login(users["operator"]).post(url(case), {**VALID, "order": case.pk}).status_code == 403
    assert not GeneratedReport.objects.exists()


def test_a_weasyprint_failure_shows_a_failed_document(login, users, case, monkeypatch):
    from weasyprint import HTML

    monkeypatch.setattr(HTML, "write_pdf", lambda self, *a, **k: (_ for _ in ()).throw(
        ValueError("broken SVG")))
    response = login(users["pk"]).post(url(case), {**VALID, "order": case.pk})
    report = GeneratedReport.objects.get()
    assert response.status_code == 302
    assert report.status == ReportStatus.FAILED and "broken SVG" in report.error
    assert not report.file
    page = login(users["pk"]).get(report.get_absolute_url()).content.decode()
    assert "broken SVG" not in page  # the error text is for administrators
    assert reverse("reports:download", args=[report.pk]) not in page


@pytest.mark.parametrize("name,kind", [
    ("reports:guidance_card", ReportKind.GUIDANCE_CARD),
    ("reports:guidance_contract", ReportKind.GUIDANCE_CONTRACT),
])
def test_operator_prints_the_guidance_card_and_contract(login, users, case, name, kind,
                                                        tmp_path):
    contact(case, ContactKind.REPORT, timezone.now() + timezone.timedelta(days=7))
    response = login(users["operator"]).post(reverse(name, args=[case.client_id]),
                                             {"order": case.pk})
    report = GeneratedReport.objects.get(kind=kind)
    assert response.status_code == 302 and report.status == ReportStatus.READY
    assert (report.period_start, report.period_end) == (case.supervision_start,
                                                       case.supervision_end)
    text = " ".join(pdf_text(report.file.read(), tmp_path).split())
    assert "Rudi Hartono" in text and case.client.register_number in text
    assert "1 Maret 2026 \u2013 1 Maret 2027" in text
    assert users["pk"].full_name in text and "RAHASIA" not in text
    if kind == ReportKind.GUIDANCE_CONTRACT:
        assert "Tidak keluar kota tanpa izin" in text


@pytest.mark.parametrize("role,status", [("pk2", 404), ("other_pk", 404), ("partner", 404),
                                         ("regional", 403)])
def test_others_cannot_print_a_clients_card(login, users, case, role, status):
    response = login(users[role]).post(reverse("reports:guidance_card", args=[case.client_id]),
                                       {"order": case.pk})
    assert response.status_code == status
    assert not GeneratedReport.objects.exists()


def test_the_page_lists_the_clients_documents_with_constant_queries(login, users, case):
    def make(n):
        GeneratedReport.objects.bulk_create([
            GeneratedReport(kind=ReportKind.GUIDANCE_CARD, office=case.client.office,
                            client=case.client, order=case, period_start=date(2026, 3, 1),
                            period_end=date(2027, 3, 1), requested_by=users["pk"],
                            verification_code=f"card-{n}-{i}")
            for i in range(n)])

    browser = login(users["pk"])
    browser.get(url(case))  # warm caches (content types for the access log)
    make(3)
    with CaptureQueriesContext(connection) as few:
        browser.get(url(case))
    make(27)
    with CaptureQueriesContext(connection) as many:
        response = browser.get(url(case))
    assert len(few) == len(many)
    assert len(response.context["page"].object_list) == 25
