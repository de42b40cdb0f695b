"""The private calendar feed and the single-event download."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from clients.models import ContactKind, Outcome
from meetings.ical import initials
from meetings.models import CalendarToken
from tests.factories import ClientFactory, ContactFactory, OrderFactory


def feed_path(token: CalendarToken) -> str:
    return reverse("meetings:calendar_feed", args=[token.token])


def summaries(content: bytes) -> list[str]:
    calendar = Calendar.from_ical(content)
    return [str(event.get("summary")) for event in calendar.walk("VEVENT")]


@pytest.fixture
def pk_token(login, users):
    login(users["pk"]).post(reverse("meetings:calendar_regenerate"))
    return CalendarToken.objects.get(user=users["pk"], revoked_at__isnull=True)


def test_initials_do_not_reveal_the_name():
    assert initials("Agus Prasetyo") == "A.P."
    assert initials("Moh. Rizky") == "M.R."
    assert initials("") == "?"


def test_settings_page_shows_the_address_after_making_it(login, users):
    client = login(users["pk"])
    page = client.get(reverse("meetings:calendar_settings")).content.decode()
    assert ".ics" not in page
    client.post(reverse("meetings:calendar_regenerate"))
    token = CalendarToken.objects.get(user=users["pk"])
    page = client.get(reverse("meetings:calendar_settings")).content.decode()
    assert feed_path(token) in page
    assert "webcal://" in page


def test_feed_holds_meeting_and_pks_planned_contacts_without_client_names(
    client, users, office, meeting, pk_token
):
    order = OrderFactory(client=ClientFactory(office=office, full_name="Agus Prasetyo Wibowo",
                                              register_number="2026/0042"),
                         assigned_pk=users["pk"])
    ContactFactory(order=order, kind=ContactKind.REPORT,
                   planned_at=timezone.now() + timedelta(days=2))
    ContactFactory(order=order, kind=ContactKind.HOME_VISIT,
                   planned_at=timezone.now() - timedelta(days=1), outcome=Outcome.ATTENDED)
    ContactFactory(order=order, planned_at=timezone.now() + timedelta(days=5),
                   cancelled_at=timezone.now())
    colleague_order = OrderFactory(client=ClientFactory(office=office, full_name="Siti Aminah"),
                                   assigned_pk=users["pk2"])
    ContactFactory(order=colleague_order)

    response = client.get(feed_path(pk_token))  # no login
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    found = summaries(response.content)
    assert any(meeting.title in summary for summary in found)
    contact_summaries = [s for s in found if "2026/0042" in s]
    assert len(contact_summaries) == 1
    assert "A.P.W." in contact_summaries[0]
    text = response.content.decode()
    assert "Agus Prasetyo Wibowo" not in text and "Siti Aminah" not in text
    assert not any("Siti" in s or "S.A." in s for s in found)


def test_feed_is_valid_icalendar_with_uids_and_times(client, users, meeting, pk_token):
    calendar = Calendar.from_ical(client.get(feed_path(pk_token)).content)
    event = calendar.walk("VEVENT")[0]
    assert str(event["uid"]).startswith(f"meeting-{meeting.pk}@")
    assert event.decoded("dtstart") == meeting.starts_at.replace(microsecond=0)
    assert event.decoded("dtend") == meeting.ends_at.replace(microsecond=0)
    # Outlook needs the time zone defined in the file, not only named.
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Jakarta"]
    assert "Aula Bapas" in str(event["location"])


def test_partner_staff_feed_has_their_meetings_and_no_contacts(client, login, users, meeting):
    login(users["partner"]).post(reverse("meetings:calendar_regenerate"))
    token = CalendarToken.objects.get(user=users["partner"])
    client.logout()
    found = summaries(client.get(feed_path(token)).content)
    assert len(found) == 1 and meeting.title in found[0]


def test_uninvited_colleague_does_not_get_the_meeting(client, login, users, meeting):
    login(users["pk2"]).post(reverse("meetings:calendar_regenerate"))
    token = CalendarToken.objects.get(user=users["pk2"])
    client.logout()
    assert summaries(client.get(feed_path(token)).content) == []


def test_invalid_token_is_404(client, db):
    assert client.get("/meetings/calendar/not-a-real-token.ics").status_code == 404


def test_revoked_token_is_404(client, login, users, pk_token):
    path = feed_path(pk_token)
    login(users["pk"]).post(reverse("meetings:calendar_revoke"))
    client.logout()
    assert client.get(path).status_code == 404
    pk_token.refresh_from_db()
    assert pk_token.revoked_at is not None


def test_regenerating_replaces_the_old_address(client, login, users, pk_token):
    old_path = feed_path(pk_token)
    login(users["pk"]).post(reverse("meetings:calendar_regenerate"))
    new = CalendarToken.objects.get(user=users["pk"], revoked_at__isnull=True)
    client.logout()
    assert new.token != pk_token.token
    assert client.get(old_path).status_code == 404
    assert client.get(feed_path(new)).status_code == 200


def test_deactivated_users_feed_stops(client, users, pk_token):
    users["pk"].is_active = False
    users["pk"].save()
    assert client.get(feed_path(pk_token)).status_code == 404


def test_token_secret_is_not_kept_in_history(pk_token):
    assert not hasattr(pk_token.history.first(), "token")


def test_single_meeting_download_parses(login, users, meeting):
    response = login(users["partner"]).get(reverse("meetings:ics", args=[meeting.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    assert meeting.title in str(events[0]["summary"])
    assert "Program pelatihan kerja klien" in str(events[0]["description"])
