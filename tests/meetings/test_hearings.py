"""Clients at hearings and conferences: who sees them, revocation decisions, the client timeline."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.models import OrderStatus, RevocationProposal
from clients.timeline import build_timeline
from meetings.models import MeetingClient, MeetingKind
from meetings.selectors import visible_linked_clients
from partners.models import Referral, ReferralStatus
from tests.factories import ClientFactory, OrderFactory
from tests.factories.meetings import MeetingFactory
from tests.factories.partners import ReferralFactory


@pytest.fixture
def order(users, office):
    return OrderFactory(client=ClientFactory(office=office, full_name="Slamet Riyadi",
                                             register_number="2026/0042"),
                        assigned_pk=users["pk"])


@pytest.fixture
def conference(users, office, partner, order):
    meeting = MeetingFactory(office=office, kind=MeetingKind.CASE_CONFERENCE,
                             created_by=users["supervisor"], partners=[partner],
                             invitees=[users["partner"]])
    MeetingClient.objects.create(meeting=meeting, client=order.client)
    return meeting


def refer(order, partner, status):
    referral = ReferralFactory(order=order, partner=partner)
    Referral.objects.filter(pk=referral.pk).update(status=status)
    return referral


@pytest.mark.parametrize("status,visible", [
    (ReferralStatus.SENT, True), (ReferralStatus.IN_PROGRESS, True),
    (ReferralStatus.COMPLETED, True), (ReferralStatus.WITHDRAWN, False),
    (ReferralStatus.DRAFT, False),
])
def test_partner_staff_see_a_linked_client_only_if_referred_to_them(
    users, partner, order, conference, status, visible
):
    refer(order, partner, status)
    shown = [link.client for link in visible_linked_clients(conference, users["partner"])]
    assert shown == ([order.client] if visible else [])


def test_referral_to_another_partner_does_not_count(users, office, order, conference):
    from tests.factories import PartnerFactory

    refer(order, PartnerFactory(name="BNN Kabupaten Jember", offices=[office]),
          ReferralStatus.IN_PROGRESS)
    assert visible_linked_clients(conference, users["partner"]) == []


def test_referred_client_is_shown_on_the_partners_meeting_page(login, users, partner, order,
                                                               conference):
    refer(order, partner, ReferralStatus.ACCEPTED)
    page = login(users["partner"]).get(
        reverse("meetings:detail", args=[conference.pk])).content.decode()
    assert "Slamet Riyadi" in page


def test_pk_not_involved_sees_only_own_caseload(users, office, conference):
    other = OrderFactory(client=ClientFactory(office=office, full_name="Siti Aminah"),
                         assigned_pk=users["pk2"])
    MeetingClient.objects.create(meeting=conference, client=other.client)
    shown = {link.client.full_name for link in visible_linked_clients(conference, users["pk"])}
    assert shown == {"Slamet Riyadi"}
    assert len(visible_linked_clients(conference, users["supervisor"])) == 2
    assert visible_linked_clients(conference, users["other_pk"]) == []


# --- TPP hearings and revocation -----------------------------------------------------------

@pytest.fixture
def proposal(users, order):
    return RevocationProposal.objects.create(order=order, reasons="Tiga kali tidak wajib lapor",
                                             proposed_by=users["pk"])


@pytest.fixture
def hearing(users, office):
    start = timezone.now() - timedelta(hours=2)
    return MeetingFactory(office=office, kind=MeetingKind.TPP, title="Sidang TPP November",
                          created_by=users["supervisor"], starts_at=start,
                          ends_at=start + timedelta(hours=1))


def test_pending_proposal_is_put_on_a_hearing_with_its_client(login, users, hearing, proposal):
    response = login(users["supervisor"]).post(
        reverse("meetings:add_revocation", args=[hearing.pk]), {"proposal": proposal.pk})
    assert response.status_code == 302
    assert list(hearing.revocation_proposals.all()) == [proposal]
    assert MeetingClient.objects.filter(meeting=hearing, client=proposal.order.client).exists()


def test_proposals_cannot_go_on_a_coordination_meeting(login, users, meeting, proposal):
    response = login(users["supervisor"]).post(
        reverse("meetings:add_revocation", args=[meeting.pk]), {"proposal": proposal.pk})
    assert response.status_code == 403
    assert not meeting.revocation_proposals.exists()


def test_head_records_the_revocation_decision_at_the_hearing(login, users, hearing, proposal):
    hearing.revocation_proposals.add(proposal)
    client = login(users["head"])
    url = reverse("meetings:decide_revocation", args=[hearing.pk, proposal.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"approve": "yes", "reason": "Terbukti melanggar syarat",
                                 "decree_number": "PAS-123.PK.05.09/2026",
                                 "decree_date": timezone.localdate().isoformat()})
    assert response.status_code == 302, response.content.decode()[:3000]
    proposal.refresh_from_db()
    assert proposal.status == RevocationProposal.Status.APPROVED
    assert proposal.decided_by == users["head"]
    proposal.order.refresh_from_db()
    assert proposal.order.status == OrderStatus.REVOKED


def test_approval_without_decree_is_refused_and_nothing_changes(login, users, hearing,
                                                                 proposal):
    hearing.revocation_proposals.add(proposal)
    response = login(users["head"]).post(
        reverse("meetings:decide_revocation", args=[hearing.pk, proposal.pk]),
        {"approve": "yes", "reason": "Terbukti", "decree_number": "", "decree_date": ""})
    assert response.status_code == 200
    assert "Enter the number of the revocation decree." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == RevocationProposal.Status.PENDING


def test_decision_before_the_hearing_is_refused(login, users, office, proposal):
    future = MeetingFactory(office=office, kind=MeetingKind.TPP, created_by=users["supervisor"])
    future.revocation_proposals.add(proposal)
    response = login(users["head"]).post(
        reverse("meetings:decide_revocation", args=[future.pk, proposal.pk]),
        {"approve": "no", "reason": "Belum cukup bukti"})
    assert response.status_code == 200
    assert "once the hearing has taken place" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == RevocationProposal.Status.PENDING


@pytest.mark.parametrize("role,status", [("pk", 403), ("partner", 404), ("other_pk", 403)])
def test_only_managers_decide(login, users, hearing, proposal, role, status):
    hearing.revocation_proposals.add(proposal)
    response = login(users[role]).get(
        reverse("meetings:decide_revocation", args=[hearing.pk, proposal.pk]))
    assert response.status_code == status


def test_proposal_not_on_this_hearing_is_404(login, users, hearing, proposal):
    response = login(users["head"]).get(
        reverse("meetings:decide_revocation", args=[hearing.pk, proposal.pk]))
    assert response.status_code == 404


# --- Timeline ------------------------------------------------------------------------------

def test_client_timeline_lists_the_meetings_that_discussed_them(users, order, conference):
    entries = [e for e in build_timeline(order.client, users["pk"]) if e.category == "meeting"]
    assert [entry.title for entry in entries] == [conference.title]
    assert entries[0].url == conference.get_absolute_url()


def test_timeline_source_runs_constant_queries(users, office, order):
    from meetings.timeline import meetings_source

    def count():
        with CaptureQueriesContext(connection) as queries:
            list(meetings_source(order.client, users["supervisor"]))
        return len(queries)

    MeetingClient.objects.create(meeting=MeetingFactory(office=office), client=order.client)
    few = count()
    for _ in range(10):
        MeetingClient.objects.create(meeting=MeetingFactory(office=office), client=order.client)
    assert count() == few


def test_timeline_hides_meetings_of_other_offices(users, order, other_office):
    foreign = MeetingFactory(office=other_office)
    MeetingClient.objects.create(meeting=foreign, client=order.client)
    assert not [e for e in build_timeline(order.client, users["pk"]) if e.category == "meeting"]
