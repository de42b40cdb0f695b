"""Report pages: who may generate, see, download and regenerate which report; bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from bapas.models import AccessLog, Role
from reports.models import GeneratedReport, ReportKind, ReportStatus
from reports.services import client_document_request, report_generate
from tests.factories import (
    ClientFactory,
    OfficeFactory,
    OrderFactory,
    RegionalOfficeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def make_report(kind=ReportKind.MONTHLY_XLSX, *, ready=True, **fields):
    fields.setdefault("period_start", date(2026, 10, 1))
    fields.setdefault("period_end", date(2026, 10, 31))
    report = GeneratedReport.objects.create(kind=kind, **fields)
    if ready:
        report_generate(report.pk)
        report.refresh_from_db()
        assert report.status == ReportStatus.READY, report.error
    return report


@pytest.fixture
def office_report(office):
    return make_report(office=office)


@pytest.fixture
def other_report(other_office):
    return make_report(office=other_office)


@pytest.fixture
def regional_report(region):
    return make_report(ReportKind.REGIONAL_XLSX, regional_office=region)


@pytest.fixture
def progress_report(users, office):
    order = OrderFactory(client=ClientFactory(office=office, full_name="Joko Susilo"),
                         assigned_pk=users["pk"], supervision_start=date(2026, 1, 1))
    return client_document_request(kind=ReportKind.PROGRESS, order=order, by=users["pk"],
                                   period_start=date(2026, 9, 1), period_end=date(2026, 9, 30),
                                   evaluation="Kooperatif.", recommendation="Lanjutkan.")


# --- Generating --------------------------------------------------------------------------------

@pytest.mark.parametrize("role,status", [
    ("supervisor", 200), ("head", 200), ("admin", 200), ("pk", 403), ("operator", 403),
    ("partner", 404),
])
def test_who_may_open_the_monthly_reports_page(login, users, role, status):
    response = login(users[role]).get(reverse("reports:index"))
    assert response.status_code == status
    if status == 200:
        assert response.context["mode"] == "office"


def test_a_regional_viewer_gets_the_regional_reports_at_the_reports_address(login, users,
                                                                            region):
    response = login(users["regional"]).get(reverse("reports:index"))
    assert response.status_code == 200 and response.context["mode"] == "regional"
    login(users["regional"]).post(reverse("reports:index"), {"month": "2026-10"})
    assert set(GeneratedReport.objects.values_list("kind", "regional_office")) == {
        (ReportKind.REGIONAL_PDF, region.pk), (ReportKind.REGIONAL_XLSX, region.pk)}


@pytest.mark.parametrize("role,status", [
    ("regional", 200), ("admin", 200), ("supervisor", 403), ("head", 403), ("pk", 403),
    ("partner", 404), ("operator", 403),
])
def test_who_may_open_the_regional_reports_page(login, users, role, status):
    assert login(users[role]).get(reverse("reports:regional")).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(reverse("reports:index"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_supervisor_generates_the_month_of_their_office(login, users, office,
                                                         django_capture_on_commit_callbacks):
    browser = login(users["supervisor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(reverse("reports:index"), {"month": "2026-10"})
    assert response.status_code == 302
    reports = GeneratedReport.objects.filter(office=office, period_start=date(2026, 10, 1))
    assert {r.kind for r in reports} == {ReportKind.MONTHLY_PDF, ReportKind.MONTHLY_XLSX}
    assert {r.status for r in reports} == {ReportStatus.READY}
    assert {r.requested_by for r in reports} == {users["supervisor"]}
    page = browser.get(reverse("reports:index"))
    assert page.status_code == 200
    for report in reports:
        assert reverse("reports:download", args=[report.pk]) in page.content.decode()


@pytest.mark.parametrize("typed", ["10/2026", "10-2026", "2026-10"])
def test_typed_months_are_understood(login, users, office, typed):
    login(users["head"]).post(reverse("reports:index"), {"month": typed})
    assert set(GeneratedReport.objects.values_list("period_start", flat=True)) == {
        date(2026, 10, 1)}


@pytest.mark.parametrize("typed,code", [
    ("2099-01", "future"), ("13/2026", "invalid"), ("oktober", "invalid"), ("", "required"),
])
def test_a_bad_month_is_refused_next_to_the_field(login, users, typed, code):
    response = login(users["supervisor"]).post(reverse("reports:index"), {"month": typed})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("month", code)
    page = response.content.decode()
    assert f'<div class="invalid-feedback">{escape(form.errors["month"][0])}</div>' in page
    assert f'value="{typed}"' in page  # what was typed is kept
    assert not GeneratedReport.objects.exists()


def test_a_report_for_another_office_is_refused_on_the_form(login, users, other_office):
    response = login(users["supervisor"]).post(
        reverse("reports:index"), {"month": "2026-10", "office": other_office.pk})
    assert response.status_code == 200
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "invalid_choice")
    assert not GeneratedReport.objects.exists()


# A junk choice (the smoke crawl's filter forms) is a form error, the same for every kind of
# bad value, never a 404 or a 500.
@pytest.mark.parametrize("value", ["x", "-1", "999999", "1.5", "<script>"])
@pytest.mark.parametrize(("role", "name", "field"), [
    ("admin", "reports:index", "office"), ("supervisor", "reports:index", "office"),
    ("admin", "reports:regional", "regional_office"),
    ("regional", "reports:regional", "regional_office"),
])
def test_a_junk_office_or_region_is_a_form_error(login, users, role, name, field, value):
    response = login(users[role]).post(reverse(name), {"month": "2026-10", field: value})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error(NON_FIELD_ERRORS, "invalid_choice")
    assert escape(form.non_field_errors()[0]) in response.content.decode()  # shown on the page
    assert not GeneratedReport.objects.exists()


def test_an_empty_post_is_a_form_error(login, users):
    response = login(users["supervisor"]).post(reverse("reports:index"), {})
    assert response.status_code == 200
    assert "month" in response.context["form"].errors
    assert not GeneratedReport.objects.exists()


def test_an_administrator_chooses_the_office(login, users, other_office):
    login(users["admin"]).post(reverse("reports:index"),
                               {"month": "2026-10", "office": other_office.pk})
    assert set(GeneratedReport.objects.values_list("office", flat=True)) == {other_office.pk}


def test_a_regional_viewer_generates_the_regional_report_of_their_region(login, users, region):
    browser = login(users["regional"])
    assert browser.post(reverse("reports:regional"), {"month": "2026-10"}).status_code == 302
    assert {(r.kind, r.regional_office_id, r.office_id) for r in GeneratedReport.objects.all()} == {
        (ReportKind.REGIONAL_PDF, region.pk, None), (ReportKind.REGIONAL_XLSX, region.pk, None)}
    elsewhere = RegionalOfficeFactory(name="Kanwil Bali")
    response = browser.post(reverse("reports:regional"),
                            {"month": "2026-10", "regional_office": elsewhere.pk})
    assert response.status_code == 200  # another region: refused on the form
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "invalid_choice")
    assert GeneratedReport.objects.count() == 2


def test_report_list_pages_by_25_with_a_constant_number_of_queries(login, users, office):
    browser = login(users["supervisor"])

    def make(n):
        GeneratedReport.objects.bulk_create([
            GeneratedReport(kind=ReportKind.MONTHLY_PDF, office=office,
                            period_start=date(2026, 10, 1), period_end=date(2026, 10, 31),
                            requested_by=users["supervisor"],
                            verification_code=f"code-{n}-{i}")
            for i in range(n)
        ])

    browser.get(reverse("reports:index"))  # warm per-process caches
    make(3)
    with CaptureQueriesContext(connection) as few:
        assert browser.get(reverse("reports:index")).status_code == 200
    make(27)
    with CaptureQueriesContext(connection) as many:
        response = browser.get(reverse("reports:index"))
    assert len(few) == len(many)
    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.num_pages == 2
    assert len(browser.get(reverse("reports:index"), {"page": 2}).context["page"]) == 5


# --- Seeing and downloading ---------------------------------------------------------------------

@pytest.mark.parametrize("role,status", [
    ("supervisor", 200), ("head", 200), ("admin", 200), ("pk", 404), ("operator", 404),
    ("partner", 404), ("regional", 404),
])
def test_office_report_download_per_role(login, users, office_report, role, status):
    response = login(users[role]).get(reverse("reports:download", args=[office_report.pk]))
    assert response.status_code == status
    assert login(users[role]).get(office_report.get_absolute_url()).status_code == status


def test_another_offices_report_is_a_404(login, users, other_report):
    for role in ("supervisor", "head", "pk"):
        browser = login(users[role])
        assert browser.get(reverse("reports:download", args=[other_report.pk])).status_code == 404
        assert browser.get(other_report.get_absolute_url()).status_code == 404
    other_supervisor = UserFactory(role=Role.SUPERVISOR, office=other_report.office)
    assert login(other_supervisor).get(
        reverse("reports:download", args=[other_report.pk])).status_code == 200


@pytest.mark.parametrize("role,status", [
    ("regional", 200), ("admin", 200), ("supervisor", 404), ("head", 404), ("pk", 404),
    ("partner", 404),
])
def test_regional_reports_only_for_the_regions_viewers(login, users, regional_report, role,
                                                       status):
    response = login(users[role]).get(reverse("reports:download", args=[regional_report.pk]))
    assert response.status_code == status


def test_a_viewer_of_another_region_gets_a_404(login, regional_report):
    stranger = UserFactory(role=Role.REGIONAL, office=None,
                           regional_office=RegionalOfficeFactory(name="Kanwil Bali"))
    assert login(stranger).get(
        reverse("reports:download", args=[regional_report.pk])).status_code == 404


@pytest.mark.parametrize("role,status", [
    ("pk", 200), ("supervisor", 200), ("head", 200), ("operator", 200), ("admin", 200),
    ("pk2", 404), ("other_pk", 404), ("partner", 404), ("regional", 404),
])
def test_progress_report_download_follows_the_clients_scoping(login, users, progress_report,
                                                               role, status):
    response = login(users[role]).get(reverse("reports:download", args=[progress_report.pk]))
    assert response.status_code == status


def test_download_is_logged_and_not_cached(login, users, office_report):
    response = login(users["supervisor"]).get(reverse("reports:download",
                                                      args=[office_report.pk]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert data == office_report.file.open("rb").read()
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="laporan-bulanan-bapas-kelas-ii-jember-2026-10.xlsx"' in (
        response["Content-Disposition"])
    log = AccessLog.objects.get(object_id=str(office_report.pk))
    assert (log.user, log.action, log.office_id) == (users["supervisor"],
                                                     AccessLog.Action.DOWNLOAD,
                                                     office_report.office_id)


def test_client_document_download_names_the_register_number_not_the_client(
    login, users, progress_report
):
    response = login(users["pk"]).get(reverse("reports:download", args=[progress_report.pk]))
    disposition = response["Content-Disposition"]
    assert progress_report.client.register_number.lower() in disposition
    assert "joko" not in disposition.lower()
    assert AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD,
                                    object_id=str(progress_report.pk)).count() == 1


@pytest.mark.parametrize("status", [ReportStatus.QUEUED, ReportStatus.RENDERING,
                                    ReportStatus.FAILED])
def test_an_unfinished_report_cannot_be_downloaded(login, users, office, status):
    report = make_report(office=office, ready=False)
    GeneratedReport.objects.filter(pk=report.pk).update(status=status)
    response = login(users["supervisor"]).get(reverse("reports:download", args=[report.pk]))
    assert response.status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD).exists()


# --- Status and failures ------------------------------------------------------------------------

def test_the_status_fragment_polls_until_the_report_is_final(login, users, office):
    report = make_report(office=office, ready=False)
    browser = login(users["supervisor"])
    url = reverse("reports:status", args=[report.pk])
    fragment = browser.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and f'hx-get="{url}"' in fragment
    page = browser.get(report.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' in page and "<script>" not in page
    report_generate(report.pk)
    fragment = browser.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment
    assert reverse("reports:download", args=[report.pk]) in fragment
    row = browser.get(url + "?row=1", headers={"HX-Request": "true"}).content.decode()
    assert row.strip().startswith("<td") and "hx-trigger" not in row
    assert browser.get(url).status_code == 302  # not htmx: the full page


def test_a_report_waiting_too_long_says_the_worker_may_be_down(login, users, office):
    report = make_report(office=office, ready=False)
    browser = login(users["supervisor"])
    assert not browser.get(report.get_absolute_url()).context["report"].waiting_too_long
    GeneratedReport.objects.filter(pk=report.pk).update(
        requested_at=timezone.now() - timedelta(minutes=30))
    page = browser.get(report.get_absolute_url())
    assert page.context["report"].waiting_too_long
    assert "alert-warning" in page.content.decode()


def test_failure_details_are_for_administrators_only(login, users, office):
    report = make_report(office=office, ready=False)
    GeneratedReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.FAILED, error="RuntimeError: font cache corrupted")
    admin_page = login(users["admin"]).get(report.get_absolute_url()).content.decode()
    assert "font cache corrupted" in admin_page
    supervisor_page = login(users["supervisor"]).get(report.get_absolute_url())
    content = supervisor_page.content.decode()
    assert "font cache corrupted" not in content
    assert "alert-danger" in content and "bi-x-circle" in content  # the failed badge
    assert reverse("reports:download", args=[report.pk]) not in content


def test_detail_lists_the_versions_and_regenerating_adds_one(login, users, office_report,
                                                             django_capture_on_commit_callbacks):
    browser = login(users["head"])
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(reverse("reports:regenerate", args=[office_report.pk]))
    new = GeneratedReport.objects.exclude(pk=office_report.pk).get()
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    assert new.status == ReportStatus.READY and new.requested_by == users["head"]
    page = browser.get(new.get_absolute_url())
    assert [v.pk for v in page.context["versions"]] == [office_report.pk, new.pk]
    assert page.context["version_number"] == 2
    assert reverse("reports:detail", args=[office_report.pk]) in page.content.decode()


def test_regenerating_a_report_one_may_not_see_is_a_404(login, users, office_report,
                                                        regional_report):
    assert login(users["pk"]).post(
        reverse("reports:regenerate", args=[office_report.pk])).status_code == 404
    assert login(users["supervisor"]).post(
        reverse("reports:regenerate", args=[regional_report.pk])).status_code == 404
    assert GeneratedReport.objects.count() == 2


def test_client_document_detail_is_logged_as_a_view_of_the_client(login, users,
                                                                   progress_report):
    assert login(users["pk"]).get(progress_report.get_absolute_url()).status_code == 200
    assert AccessLog.objects.filter(action=AccessLog.Action.VIEW,
                                    object_id=str(progress_report.client_id)).exists()


def test_a_head_of_a_far_office_gets_a_404_for_client_documents(login, progress_report):
    """Another region's office never reaches this office's client documents."""
    far = OfficeFactory(name="Bapas Kelas I Makassar",
                        regional_office=RegionalOfficeFactory(name="Kanwil Sulsel"))
    outsider = UserFactory(role=Role.HEAD, office=far)
    assert login(outsider).get(progress_report.get_absolute_url()).status_code == 404
