"""Action items: added by the organiser, closed by their owner, listed per owner overdue first."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bapas.models import Role
from meetings.models import ActionItem
from tests.factories import PartnerFactory, UserFactory
from tests.factories.meetings import ActionItemFactory, MeetingFactory


def test_organiser_adds_items_for_an_organisation_and_a_person(login, users, meeting, partner):
    client = login(users["supervisor"])
    due = (meeting.day + timedelta(days=14)).isoformat()
    response = client.post(reverse("meetings:action_create", args=[meeting.pk]), {
        "description": "Menyusun jadwal pelatihan", "owner": f"p{partner.pk}", "due_date": due})
    assert response.status_code == 302
    response = client.post(reverse("meetings:action_create", args=[meeting.pk]), {
        "description": "Mendata klien tanpa KTP-el", "owner": f"u{users['pk'].pk}",
        "due_date": due})
    assert response.status_code == 302
    items = {item.description: item for item in ActionItem.objects.all()}
    assert items["Menyusun jadwal pelatihan"].owner_partner == partner
    assert items["Mendata klien tanpa KTP-el"].owner_user == users["pk"]
    assert all(item.status == ActionItem.Status.OPEN for item in items.values())


def test_item_due_before_the_meeting_is_refused(login, users, meeting, partner):
    response = login(users["supervisor"]).post(
        reverse("meetings:action_create", args=[meeting.pk]),
        {"description": "Terlambat", "owner": f"p{partner.pk}",
         "due_date": (meeting.day - timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The due date cannot be before the meeting" in page
    assert "Terlambat" in page
    assert not ActionItem.objects.exists()


def test_item_needs_an_owner(login, users, meeting):
    response = login(users["supervisor"]).post(
        reverse("meetings:action_create", args=[meeting.pk]),
        {"description": "Tanpa pemilik", "owner": "",
         "due_date": (meeting.day + timedelta(days=3)).isoformat()})
    assert response.status_code == 200
    assert not ActionItem.objects.exists()


def test_partner_owner_sees_and_closes_its_item(login, users, meeting, partner):
    item = ActionItemFactory(meeting=meeting, owner_partner=partner,
                             description="Pelatihan menjahit untuk klien")
    client = login(users["partner"])
    page = client.get(reverse("meetings:my_actions")).content.decode()
    assert "Pelatihan menjahit untuk klien" in page
    url = reverse("meetings:action_update", args=[item.pk])
    response = client.post(url, {"status": "done", "completion_note": ""})
    assert response.status_code == 200
    assert "Say what was done before closing the item." in response.content.decode()
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN
    response = client.post(url, {"status": "done", "completion_note": "12 klien dilatih",
                                 "next": "my_actions"})
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:my_actions")
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE
    assert item.completed_by == users["partner"]
    assert item.history.first().history_user == users["partner"]


def test_partner_staff_cannot_cancel_an_item(login, users, meeting, partner):
    item = ActionItemFactory(meeting=meeting, owner_partner=partner)
    response = login(users["partner"]).post(reverse("meetings:action_update", args=[item.pk]),
                                            {"status": "cancelled", "completion_note": ""})
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_owner_person_updates_own_item_but_not_others(login, users, meeting):
    mine = ActionItemFactory(meeting=meeting, owner_user=users["pk"])
    theirs = ActionItemFactory(meeting=meeting, owner_user=users["pk2"])
    client = login(users["pk"])
    assert client.get(reverse("meetings:action_update", args=[mine.pk])).status_code == 200
    assert client.get(reverse("meetings:action_update", args=[theirs.pk])).status_code == 403


def test_other_organisations_staff_cannot_see_the_item(login, users, meeting, partner, office):
    item = ActionItemFactory(meeting=meeting, owner_partner=partner)
    stranger = UserFactory(role=Role.PARTNER, office=None,
                           partner=PartnerFactory(name="BNN", offices=[office]))
    response = login(stranger).get(reverse("meetings:action_update", args=[item.pk]))
    assert response.status_code == 404
    assert login(users["other_pk"]).get(
        reverse("meetings:action_update", args=[item.pk])).status_code == 404


def test_my_items_list_overdue_first(login, users, office):
    past = MeetingFactory(office=office, starts_at=timezone.now() - timedelta(days=30))
    today = timezone.localdate()
    later = ActionItemFactory(meeting=past, owner_user=users["pk"], description="Nanti",
                              due_date=today + timedelta(days=20))
    soon = ActionItemFactory(meeting=past, owner_user=users["pk"], description="Segera",
                             due_date=today + timedelta(days=2))
    overdue = ActionItemFactory(meeting=past, owner_user=users["pk"], description="Terlambat",
                                due_date=today - timedelta(days=5))
    ActionItemFactory(meeting=past, owner_user=users["pk2"], description="Punya rekan")
    response = login(users["pk"]).get(reverse("meetings:my_actions"))
    assert [item.pk for item in response.context["page"]] == [overdue.pk, soon.pk, later.pk]


def test_manager_lists_the_whole_offices_items(login, users, meeting):
    ActionItemFactory(meeting=meeting, owner_user=users["pk"], description="Milik PK")
    mine = login(users["supervisor"]).get(reverse("meetings:my_actions"))
    assert list(mine.context["page"]) == []
    office = login(users["supervisor"]).get(reverse("meetings:my_actions") + "?scope=office")
    assert [item.description for item in office.context["page"]] == ["Milik PK"]


@pytest.mark.parametrize("role", ["pk", "partner"])
def test_my_items_query_count_does_not_grow_and_pages_by_25(login, users, meeting, partner,
                                                            role):
    owner = {"owner_user": users["pk"]} if role == "pk" else {"owner_partner": partner}
    ActionItemFactory.create_batch(3, meeting=meeting, **owner)
    client = login(users[role])
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("meetings:my_actions"))
    ActionItemFactory.create_batch(27, meeting=meeting, **owner)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("meetings:my_actions"))
    assert len(many) == len(few)
    assert len(response.context["page"]) == 25
    assert response.context["page"].paginator.count == 30
