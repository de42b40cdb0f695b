"""Query counts of list and detail pages that other test modules do not count.

Each test renders a page with 3 rows of what it lists, then with 30, and expects the same number
of queries (no query per row), and at most ``BUDGET`` queries (the issue's limit per page).
The first request of each pair warms per-process caches (content types, sessions).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bapas.models import AccessLog, Role
from clients.models import Contact, ContactKind, Outcome, WarningLetter
from meetings.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    CalendarToken,
    Invitation,
    Meeting,
    MeetingClient,
    MeetingKind,
)
from partners.models import Agreement, PartnerContact, ServiceSession
from tests.factories import ClientFactory, OfficeFactory, OrderFactory, UserFactory
from tests.factories.partners import ReferralFactory, ServiceFactory, advance

BUDGET = 20


def count(client, url: str) -> int:
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def assert_constant(client, url: str, grow) -> int:
    """Queries with 3 rows equal queries with 30 rows, within the budget."""
    grow(3)
    few = count(client, url)
    grow(27)
    many = count(client, url)
    assert many == few, f"{url}: {few} queries with 3 rows, {many} with 30"
    assert many <= BUDGET, f"{url}: {many} queries (budget {BUDGET})"
    return many


# --- Site administration -----------------------------------------------------------------


def test_office_list_queries_do_not_grow_and_page_by_25(login, users, region):
    client = login(users["admin"])

    def grow(n):
        for _ in range(n):
            office = OfficeFactory(regional_office=region)
            UserFactory(office=office, role=Role.PK)

    assert_constant(client, reverse("offices"), grow)
    response = client.get(reverse("offices"))
    assert len(response.context["page"]) == 25  # 2 fixture offices + 30 new: two pages
    assert response.context["page"].paginator.num_pages == 2


def test_office_detail_queries_do_not_grow_with_staff(login, users, office):
    client = login(users["admin"])

    def grow(n):
        UserFactory.create_batch(n, office=office, role=Role.PK)

    assert_constant(client, reverse("office_detail", args=[office.pk]), grow)


def test_access_log_queries_do_not_grow_with_entries(login, users, office):
    client = login(users["supervisor"])
    order = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])

    def grow(n):
        AccessLog.objects.bulk_create([
            AccessLog(user=users["pk"], office=office, action=AccessLog.Action.VIEW,
                      object_label=str(order.client), path=f"/clients/{order.client_id}/")
            for _ in range(n)
        ])

    assert_constant(client, reverse("audit_access"), grow)


# --- Case work ----------------------------------------------------------------------------


def test_caseload_sizes_queries_do_not_grow_with_officers(login, users, office):
    client = login(users["supervisor"])

    def grow(n):
        for _ in range(n):
            pk = UserFactory(office=office, role=Role.PK)
            OrderFactory(client=ClientFactory(office=office), assigned_pk=pk)

    assert_constant(client, reverse("clients:caseload_sizes"), grow)


def test_order_detail_queries_do_not_grow_with_contacts_and_warnings(login, users, office):
    client = login(users["pk"])
    order = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
    start = timezone.now() - timedelta(days=40)

    def grow(n):
        Contact.objects.bulk_create([
            Contact(order=order, kind=ContactKind.REPORT, planned_at=start + timedelta(hours=i),
                    outcome=Outcome.MISSED, officer=users["pk"])
            for i in range(n)
        ])
        WarningLetter.objects.bulk_create([
            WarningLetter(order=order, level=WarningLetter.Level.SP1, number=f"SP/{i}",
                          issued_on=timezone.localdate(), reason="Tidak lapor",
                          issued_by=users["pk"])
            for i in range(n)
        ])

    assert_constant(client, reverse("clients:order_detail", args=[order.client_id, order.pk]),
                    grow)


def test_contact_detail_queries_do_not_grow_with_its_history(login, users, office):
    client = login(users["pk"])
    order = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
    contact = Contact.objects.create(order=order, kind=ContactKind.REPORT,
                                     planned_at=timezone.now() - timedelta(days=1),
                                     officer=users["pk"])

    def grow(n):
        for i in range(n):  # each save is one history row, shown with who changed it
            contact.notes = f"Catatan {i}"
            contact._history_user = users["pk"]
            contact.save()

    assert_constant(client, reverse("clients:contact_detail", args=[contact.pk]), grow)


# --- Partners -----------------------------------------------------------------------------


@pytest.fixture
def running_referral(users, office, partner):
    order = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
    referral = ReferralFactory(order=order, partner=partner, created_by=users["pk"],
                               service=ServiceFactory(name="Konseling psikososial"))
    return advance(referral, "in_progress", officer=users["pk"],
                   partner_user=users["partner"])


def _sessions(referral, user):
    def grow(n):
        ServiceSession.objects.bulk_create([
            ServiceSession(referral=referral, date=timezone.localdate() - timedelta(days=i),
                           duration_minutes=60, attendance=ServiceSession.Attendance.ATTENDED,
                           activity="Konseling", logged_by=user)
            for i in range(n)
        ])

    return grow


def test_referral_page_queries_do_not_grow_with_sessions(login, users, running_referral):
    client = login(users["pk"])
    assert_constant(client, reverse("partners:referral_detail", args=[running_referral.pk]),
                    _sessions(running_referral, users["partner"]))


def test_portal_referral_queries_do_not_grow_with_sessions(login, users, running_referral):
    client = login(users["partner"])
    assert_constant(client, reverse("partners:portal_referral", args=[running_referral.pk]),
                    _sessions(running_referral, users["partner"]))


def test_partner_page_queries_do_not_grow_with_agreements_and_people(login, users, office,
                                                                       partner):
    client = login(users["supervisor"])

    def grow(n):
        for i in range(n):
            Agreement.objects.create(partner=partner, office=office, number=f"PKS/{i}",
                                     title="Kerja sama", start_date=timezone.localdate(),
                                     end_date=timezone.localdate() + timedelta(days=365))
            PartnerContact.objects.create(partner=partner, name=f"Kontak {i}")
            UserFactory(role=Role.PARTNER, office=None, partner=partner)

    assert_constant(client, reverse("partners:detail", args=[partner.pk]), grow)


def test_service_catalogue_queries_do_not_grow_with_services(login, users):
    client = login(users["admin"])

    def grow(n):
        ServiceFactory.create_batch(n)

    assert_constant(client, reverse("partners:services"), grow)


# --- Meetings -----------------------------------------------------------------------------


def test_meeting_page_queries_do_not_grow_with_people_and_items(login, users, office, partner):
    client = login(users["supervisor"])
    meeting = Meeting.objects.create(
        office=office, kind=MeetingKind.CASE_CONFERENCE, title="Konferensi kasus",
        starts_at=timezone.now() - timedelta(days=1), place="Aula",
        created_by=users["supervisor"],
    )
    meeting.partners.add(partner)

    def grow(n):
        for i in range(n):
            person = UserFactory(office=office, role=Role.PK)
            Invitation.objects.create(meeting=meeting, user=person)
            Attendance.objects.create(meeting=meeting, user=person,
                                      recorded_by=users["supervisor"])
            AgendaItem.objects.create(meeting=meeting, position=i, title=f"Agenda {i}")
            ActionItem.objects.create(meeting=meeting, description="Tindak lanjut",
                                      owner_user=person, due_date=timezone.localdate(),
                                      created_by=users["supervisor"])
            MeetingClient.objects.create(meeting=meeting, client=ClientFactory(office=office),
                                         added_by=users["supervisor"])

    assert_constant(client, reverse("meetings:detail", args=[meeting.pk]), grow)


def test_calendar_feed_queries_do_not_grow_with_meetings(client, users, office):
    token = CalendarToken.objects.create(user=users["pk"])

    def grow(n):
        for i in range(n):
            meeting = Meeting.objects.create(
                office=office, kind=MeetingKind.COORDINATION, title=f"Rapat {i}",
                starts_at=timezone.now() + timedelta(days=i + 1), place="Aula",
                created_by=users["supervisor"],
            )
            Invitation.objects.create(meeting=meeting, user=users["pk"])

    assert_constant(client, reverse("meetings:calendar_feed", args=[token.token]), grow)
