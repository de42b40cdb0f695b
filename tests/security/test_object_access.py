"""No guessed id opens a record of another office, of another PK's caseload or of a client not
referred to the partner: records, documents, photos, PDFs, spreadsheets, calendar entries and
search results. Objects out of reach answer 404 (never 403: no hint that they exist)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from .conftest import PDF_BYTES


def client_for(demo, role: str) -> HttpClient:
    http = HttpClient(raise_request_exception=False)
    http.force_login(demo.users[role])
    return http


def test_pk_guessing_client_ids_opens_only_their_own_caseload(demo):
    from clients.models import Client

    pk = demo.users["pk"]
    mine = set(Client.objects.for_user(pk).values_list("pk", flat=True))
    every = list(Client.objects.values_list("pk", flat=True))
    assert mine and len(every) > len(mine)
    http = client_for(demo, "pk")
    for client_pk in [*every, max(every) + 1]:
        response = http.get(reverse("clients:detail", args=[client_pk]))
        assert response.status_code == (200 if client_pk in mine else 404), client_pk


def test_supervisor_guessing_client_ids_opens_only_their_office(demo):
    from clients.models import Client

    http = client_for(demo, "supervisor")
    for client in Client.objects.filter(office_id=demo["other_office"]):
        for url in (reverse("clients:detail", args=[client.pk]),
                    reverse("clients:photo", args=[client.pk]),
                    reverse("reports:progress", args=[client.pk])):
            response = http.get(url)
            assert response.status_code == 404, url
            assert client.full_name.encode() not in response.content


def _foreign_urls(demo) -> list[tuple[str, str]]:
    """Every kind of record of the other office, with the capability a role needs to get as
    far as looking it up (without it the answer is 403 before any lookup)."""
    ids = demo.ids
    client, order = ids["foreign_client"], ids["foreign_order"]
    return [
        (reverse("clients:detail", args=[client]), "clients.view"),
        (reverse("clients:photo", args=[client]), "clients.view"),
        (reverse("clients:document", args=[client, ids["foreign_document"]]), "clients.view"),
        # the other office's document, asked for through one of our own clients
        (reverse("clients:document", args=[ids["client"], ids["foreign_document"]]),
         "clients.view"),
        (reverse("clients:order_detail", args=[client, order]), "clients.view"),
        (reverse("clients:contact_detail", args=[ids["foreign_contact"]]), "clients.casework"),
        (reverse("clients:contact_photo", args=[ids["foreign_contact_photo"]]),
         "clients.casework"),
        (reverse("reports:progress", args=[client]), "clients.view"),
        (reverse("reports:detail", args=[ids["foreign_report"]]), None),
        (reverse("reports:download", args=[ids["foreign_report"]]), None),
        (reverse("meetings:detail", args=[ids["foreign_meeting"]]), "meetings.view"),
        (reverse("meetings:print_invitation", args=[ids["foreign_meeting"]]), "meetings.view"),
        (reverse("meetings:ics", args=[ids["foreign_meeting"]]), "meetings.view"),
        (reverse("meetings:attachment", args=[ids["foreign_attachment"]]), "meetings.view"),
    ]


@pytest.mark.parametrize("role", ["pk", "operator", "supervisor", "head", "partner"])
def test_records_of_another_office_are_not_found(demo, role):
    from bapas.roles import can

    user = demo.users[role]
    http = client_for(demo, role)
    for url, capability in _foreign_urls(demo):
        response = http.get(url)
        # A role that may use the page at all gets 404; one that may not, 403 before any
        # lookup (or 404, for pages that hide from partner staff that they exist).
        expected = {404} if capability is None or can(user, capability) else {403, 404}
        assert response.status_code in expected, (url, response.status_code)
        assert demo["foreign_name"].encode() not in response.content, url
        assert demo["foreign_nik"].encode() not in response.content, url


def test_pk_cannot_open_a_colleagues_client_records(demo):
    from clients.models import Client, SupervisionOrder

    colleague_order = (SupervisionOrder.objects.filter(assigned_pk_id=demo["colleague"])
                       .exclude(cover_pk=demo.users["pk"]).select_related("client").first())
    client = colleague_order.client
    assert not Client.objects.for_user(demo.users["pk"]).filter(pk=client.pk).exists()
    http = client_for(demo, "pk")
    for url in (reverse("clients:detail", args=[client.pk]),
                reverse("clients:order_detail", args=[client.pk, colleague_order.pk]),
                reverse("clients:contact_plan", args=[colleague_order.pk]),
                reverse("reports:progress", args=[client.pk])):
        response = http.get(url)
        assert response.status_code == 404, url
        assert client.full_name.encode() not in response.content, url


def test_spreadsheets_and_pdfs_of_another_office_are_not_found(demo):
    from bapas.models import Office
    from reports.models import GeneratedReport, ReportKind, ReportStatus

    bondowoso = Office.objects.get(pk=demo["other_office"])
    today = timezone.localdate()
    reports = []
    for kind, name in ((ReportKind.MONTHLY_XLSX, "bulanan.xlsx"),
                       (ReportKind.MONTHLY_PDF, "bulanan.pdf")):
        report = GeneratedReport(kind=kind, office=bondowoso, period_start=today.replace(day=1),
                                 period_end=today, status=ReportStatus.READY)
        report.file.save(name, ContentFile(PDF_BYTES), save=False)
        report.save()
        reports.append(report)
    for role in ("supervisor", "head", "pk", "operator", "regional", "partner"):
        http = client_for(demo, role)
        for report in reports:
            for name in ("reports:detail", "reports:download"):
                assert http.get(reverse(name, args=[report.pk])).status_code == 404, (
                    role, name, report.kind)
    # while the administrator, who sees every office, may
    assert client_for(demo, "admin").get(
        reverse("reports:download", args=[reports[0].pk])).status_code == 200


def test_partner_guessing_referral_ids_opens_only_their_own(demo):
    from partners.models import Referral

    partner = demo.users["partner"]
    theirs = set(Referral.objects.for_partner(partner).values_list("pk", flat=True))
    every = list(Referral.objects.values_list("pk", flat=True))
    assert theirs and len(every) > len(theirs)
    http = client_for(demo, "partner")
    for referral_pk in [*every, max(every) + 1]:
        for name in ("partners:portal_referral", "partners:portal_client_photo"):
            response = http.get(reverse(name, args=[referral_pk]))
            if referral_pk in theirs:
                assert response.status_code in {200, 404}, (name, referral_pk)
            else:
                assert response.status_code == 404, (name, referral_pk)


def test_partner_cannot_open_the_officer_pages_of_their_referred_client(demo):
    http = client_for(demo, "partner")
    ids = demo.ids
    for url in (reverse("clients:detail", args=[ids["client"]]),
                reverse("clients:photo", args=[ids["client"]]),
                reverse("clients:document", args=[ids["client"], ids["document"]]),
                reverse("clients:order_detail", args=[ids["client"], ids["order"]]),
                reverse("reports:progress", args=[ids["client"]]),
                reverse("reports:detail", args=[ids["client_report"]]),
                reverse("reports:download", args=[ids["client_report"]]),
                reverse("partners:referral_detail", args=[ids["referral"]])):
        response = http.get(url)
        assert response.status_code in {403, 404}, url
        assert demo["client_nik"].encode() not in response.content


def test_partner_of_an_unreferred_organisation_sees_nothing_of_the_client(demo):
    http = client_for(demo, "partner_other")
    ids = demo.ids
    for url in (reverse("partners:portal_referral", args=[ids["referral"]]),
                reverse("partners:portal_client_photo", args=[ids["referral"]]),
                reverse("partners:portal_session", args=[ids["referral"]]),
                reverse("partners:portal_report", args=[ids["referral"]])):
        assert http.get(url).status_code == 404, url
    portal = http.get(reverse("partners:portal"))
    assert portal.status_code == 200
    assert demo["client_name"].encode() not in portal.content


def test_meeting_attachment_not_shared_with_partners_is_not_found_for_them(demo):
    http = client_for(demo, "partner")
    assert http.get(reverse("meetings:attachment", args=[demo["attachment"]])).status_code == 404
    shared = http.get(reverse("meetings:attachment", args=[demo["shared_attachment"]]))
    assert shared.status_code == 200


# --- calendar feeds ------------------------------------------------------------------------

def _feed(token: str):
    return HttpClient().get(reverse("meetings:calendar_feed", args=[token]))


def test_calendar_feed_answers_only_a_live_token_of_an_active_user(demo):
    from meetings.models import CalendarToken

    assert _feed(demo["calendar_token"]).status_code == 200
    assert _feed("not-a-token-" + "x" * 30).status_code == 404
    assert _feed(demo["calendar_token"][:-1]).status_code == 404
    CalendarToken.objects.filter(token=demo["calendar_token"]).update(revoked_at=timezone.now())
    assert _feed(demo["calendar_token"]).status_code == 404


def test_calendar_feed_of_a_deactivated_user_is_not_found(demo):
    user = demo.users["other_pk"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _feed(demo["other_calendar_token"]).status_code == 404


def test_another_users_calendar_token_never_shows_my_meetings(demo):
    from datetime import timedelta

    from meetings.models import Invitation, Meeting

    start = timezone.now() + timedelta(days=3)
    mine = Meeting.objects.create(
        office_id=demo["office"], kind="coordination", title="Rapat kasus ZQX-73",
        starts_at=start, ends_at=start + timedelta(hours=1), created_by=demo.users["supervisor"])
    Invitation.objects.create(meeting=mine, user=demo.users["pk"])
    own = _feed(demo["calendar_token"])
    assert own.status_code == 200 and mine.title.encode() in own.content.replace(b"\r\n ", b"")
    other = _feed(demo["other_calendar_token"])
    assert other.status_code == 200
    assert mine.title.encode() not in other.content.replace(b"\r\n ", b"")


# --- search --------------------------------------------------------------------------------

def _caseload_search(http, term: str) -> bytes:
    """The result rows of a caseload search (the term itself is echoed in the search box)."""
    http.post(reverse("clients:caseload"), {"q": term})
    page = http.get(reverse("clients:caseload"))
    assert page.status_code == 200
    return page.content


def _found(content: bytes, client) -> bool:
    """A result row links to the client's page; the term itself may be echoed back."""
    return f'href="{reverse("clients:detail", args=[client.pk])}"'.encode() in content


@pytest.mark.parametrize("role", ["pk", "supervisor", "operator"])
def test_caseload_search_finds_nobody_of_another_office(demo, role):
    from clients.models import Client

    foreign = Client.objects.get(pk=demo["foreign_client"])
    own = Client.objects.get(pk=demo["client"])
    http = client_for(demo, role)
    for term in (foreign.full_name, foreign.nik, foreign.register_number):
        assert not _found(_caseload_search(http, term), foreign), term
    # the same search for a client of their own finds them (the search works)
    assert _found(_caseload_search(http, own.full_name), own)


def test_pk_caseload_search_finds_no_colleagues_client(demo):
    from clients.models import SupervisionOrder

    order = (SupervisionOrder.objects.filter(assigned_pk_id=demo["colleague"])
             .exclude(cover_pk=demo.users["pk"]).select_related("client").first())
    http = client_for(demo, "pk")
    assert not _found(_caseload_search(http, order.client.full_name), order.client)
    assert not _found(_caseload_search(http, order.client.nik), order.client)


def test_checkin_search_finds_nobody_of_another_office(demo):
    http = client_for(demo, "operator")
    for term in (demo["foreign_name"], demo["foreign_nik"]):
        response = http.post(reverse("clients:checkin"), {"q": term})
        assert response.status_code == 200
        assert reverse("clients:checkin_confirm", args=[demo["foreign_order"]]).encode() \
            not in response.content
    found = http.post(reverse("clients:checkin"), {"q": demo["client_nik"]})
    assert reverse("clients:checkin_confirm", args=[demo["order"]]).encode() in found.content


def test_duplicate_check_names_only_the_office_holding_a_foreign_client(demo):
    from clients.models import Client

    foreign = Client.objects.get(pk=demo["foreign_client"])
    response = client_for(demo, "operator").post(reverse("clients:register"), {
        "step": "check", "nik": foreign.nik, "full_name": "", "birth_date": ""})
    assert response.status_code == 200
    assert b"Bapas Kelas II Bondowoso" in response.content
    for private in (foreign.full_name, foreign.address_street, foreign.phone,
                    foreign.guarantor_name):
        if private:
            assert private.encode() not in response.content, private
    assert reverse("clients:detail", args=[foreign.pk]).encode() not in response.content
