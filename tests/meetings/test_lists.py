"""The meeting list: tabs, filters, pagination, constant queries."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import Invitation, MeetingKind
from tests.factories import PartnerFactory
from tests.factories.meetings import MeetingFactory


def titles(response) -> list[str]:
    return [meeting.title for meeting in response.context["page"]]


def test_upcoming_and_past_tabs(login, users, meeting, past_meeting, foreign_meeting):
    client = login(users["pk"])
    upcoming = client.get(reverse("meetings:list"))
    assert titles(upcoming) == [meeting.title]
    assert upcoming.context["counts"] == {"upcoming": 1, "past": 1}
    assert titles(client.get(reverse("meetings:list") + "?tab=past")) == [past_meeting.title]


def test_upcoming_is_soonest_first_and_past_latest_first(login, users, office):
    now = timezone.now()
    for days in (9, 2, 5):
        MeetingFactory(office=office, title=f"Akan datang {days}",
                       starts_at=now + timedelta(days=days))
    for days in (9, 2, 5):
        MeetingFactory(office=office, title=f"Lalu {days}", starts_at=now - timedelta(days=days))
    client = login(users["supervisor"])
    assert titles(client.get(reverse("meetings:list"))) == [
        "Akan datang 2", "Akan datang 5", "Akan datang 9"]
    assert titles(client.get(reverse("meetings:list") + "?tab=past")) == [
        "Lalu 2", "Lalu 5", "Lalu 9"]


def test_filter_by_type_organisation_and_month(login, users, office, partner):
    pokmas = PartnerFactory(name="Pokmas Lipas", offices=[office])
    october = timezone.make_aware(datetime(2024, 10, 1, 9, 0))
    MeetingFactory(office=office, title="Rakor Oktober", starts_at=october, partners=[pokmas])
    MeetingFactory(office=office, title="TPP Oktober", kind=MeetingKind.TPP,
                   starts_at=october + timedelta(days=3))
    MeetingFactory(office=office, title="Rakor November", starts_at=october + timedelta(days=40),
                   partners=[partner])
    client = login(users["supervisor"])
    base = reverse("meetings:list") + "?tab=past"
    assert titles(client.get(base + "&kind=tpp")) == ["TPP Oktober"]
    assert titles(client.get(base + f"&partner={pokmas.pk}")) == ["Rakor Oktober"]
    assert set(titles(client.get(base + "&month=2024-10"))) == {"Rakor Oktober", "TPP Oktober"}
    assert titles(client.get(base + "&month=2024-10&kind=coordination")) == ["Rakor Oktober"]


def test_bad_month_shows_a_message_and_lists_unfiltered(login, users, past_meeting):
    response = login(users["supervisor"]).get(reverse("meetings:list") + "?tab=past&month=abc")
    assert response.status_code == 200
    assert "Enter a month such as 2024-10." in response.content.decode()
    assert titles(response) == [past_meeting.title]


def test_partner_staff_list_only_their_meetings_with_their_answer(login, users, office, meeting):
    MeetingFactory(office=office, title="Rapat internal")
    Invitation.objects.filter(meeting=meeting, user=users["partner"]).update(
        response=Invitation.Response.CONFIRMED)
    response = login(users["partner"]).get(reverse("meetings:list"))
    assert titles(response) == [meeting.title]
    assert response.context["page"][0].my_response == "confirmed"


@pytest.mark.parametrize("role", ["supervisor", "partner", "admin"])
def test_list_query_count_is_constant_and_pages_by_25(login, users, office, partner, role):
    def make(count):
        for _ in range(count):
            MeetingFactory(office=office, partners=[partner, PartnerFactory(offices=[office])],
                           invitees=[users["partner"], users["pk"]])

    client = login(users[role])
    make(3)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("meetings:list"))
    make(27)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("meetings:list"))
    assert len(many) == len(few)
    assert len(response.context["page"]) == 25
    assert response.context["page"].paginator.count == 30
    second = client.get(reverse("meetings:list") + "?page=2")
    assert len(second.context["page"]) == 5
