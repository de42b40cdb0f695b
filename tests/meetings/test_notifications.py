"""Messages about meetings: invitations, cancellations, action items, and reminders."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from bapas.notifications.engine import run_sweeps
from bapas.notifications.models import Channel, Notification, Status
from meetings import reminders
from meetings.models import ActionItem, Invitation
from meetings.notices import KIND_ACTION_ASSIGNED, KIND_CANCELLED, KIND_INVITED
from meetings.services import AgendaRow, action_item_create, meeting_cancel, meeting_save
from tests.factories.meetings import ActionItemFactory, MeetingFactory


def sent_to(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind, channel=Channel.IN_APP)
               .values_list("recipient__email", flat=True))


def at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_newly_invited_people_are_told_but_not_the_organiser(users, office):
    meeting = MeetingFactory.build(office=office, created_by=users["supervisor"])
    meeting_save(meeting=meeting, agenda=[AgendaRow("Pembukaan")], partners=[],
                 invitees=[users["pk"], users["partner"], users["supervisor"]],
                 by=users["supervisor"])
    assert sent_to(KIND_INVITED) == {"pk@test.local", "mitra@test.local"}
    # Saving again tells nobody twice; a newly added person is told.
    meeting_save(meeting=meeting, agenda=[], partners=[],
                 invitees=[users["pk"], users["partner"], users["head"]], by=users["supervisor"])
    assert Notification.objects.filter(kind=KIND_INVITED, channel=Channel.IN_APP).count() == 3
    assert "head@test.local" in sent_to(KIND_INVITED)


def test_no_invitation_message_for_a_meeting_already_held(users, office):
    start = timezone.now() - timedelta(days=10)
    meeting = MeetingFactory.build(office=office, created_by=users["supervisor"],
                                   starts_at=start, ends_at=start + timedelta(hours=1))
    meeting_save(meeting=meeting, agenda=[], partners=[], invitees=[users["pk"]],
                 by=users["supervisor"])
    assert not Notification.objects.filter(kind=KIND_INVITED).exists()


def test_cancelling_tells_those_who_had_not_declined(users, meeting):
    Invitation.objects.filter(meeting=meeting, user=users["partner"]).update(
        response=Invitation.Response.DECLINED)
    meeting_cancel(meeting=meeting, reason="Aula dipakai", by=users["supervisor"])
    assert sent_to(KIND_CANCELLED) == {"pk@test.local"}
    body = Notification.objects.get(kind=KIND_CANCELLED, channel=Channel.IN_APP).body
    assert "Aula dipakai" in body


def test_item_for_an_organisation_tells_its_staff(users, meeting, partner):
    action_item_create(meeting=meeting, description="Menyusun jadwal pelatihan",
                       owner_partner=partner, due_date=meeting.day + timedelta(days=7),
                       by=users["supervisor"])
    assert sent_to(KIND_ACTION_ASSIGNED) == {"mitra@test.local"}


@pytest.fixture
def tomorrow_meeting(users, office, partner):
    start = at(timezone.localdate() + timedelta(days=1), 9)
    return MeetingFactory(office=office, created_by=users["supervisor"], starts_at=start,
                          ends_at=start + timedelta(hours=2),
                          invitees=[users["pk"], users["partner"], users["head"]])


def test_invitees_are_reminded_the_day_before_except_who_declined(users, tomorrow_meeting):
    Invitation.objects.filter(meeting=tomorrow_meeting, user=users["head"]).update(
        response=Invitation.Response.DECLINED)
    early = at(timezone.localdate(), reminders.REMINDER_HOUR - 1)
    run_sweeps(now=early, rules=reminders.RULES)
    assert not Notification.objects.filter(kind=reminders.KIND_TOMORROW).exists()
    now = at(timezone.localdate(), reminders.REMINDER_HOUR)
    run_sweeps(now=now, rules=reminders.RULES)
    assert sent_to(reminders.KIND_TOMORROW) == {"pk@test.local", "mitra@test.local"}
    run_sweeps(now=now + timedelta(minutes=10), rules=reminders.RULES)
    assert Notification.objects.filter(kind=reminders.KIND_TOMORROW,
                                       channel=Channel.IN_APP).count() == 2


def test_reminder_of_a_cancelled_meeting_is_withdrawn(users, tomorrow_meeting):
    now = at(timezone.localdate(), reminders.REMINDER_HOUR)
    Notification.objects.all().delete()
    from bapas.notifications.engine import ensure

    ensure(reminders.build_tomorrow(now), now=now)
    pending = Notification.objects.filter(kind=reminders.KIND_TOMORROW, status=Status.PENDING)
    assert pending.exists()
    tomorrow_meeting.cancelled_at = timezone.now()
    tomorrow_meeting.save()
    run_sweeps(now=now + timedelta(minutes=5), rules=reminders.RULES)
    assert not Notification.objects.filter(kind=reminders.KIND_TOMORROW,
                                           status=Status.PENDING).exists()


def test_action_items_are_reminded_before_due_and_when_overdue(users, office, partner):
    today = timezone.localdate()
    past = MeetingFactory(office=office, starts_at=at(today - timedelta(days=20), 9),
                          ends_at=at(today - timedelta(days=20), 11))
    ActionItemFactory(meeting=past, owner_user=users["pk"], due_date=today + timedelta(days=2))
    ActionItemFactory(meeting=past, owner_partner=partner, due_date=today - timedelta(days=1))
    ActionItemFactory(meeting=past, owner_user=users["pk2"], due_date=today + timedelta(days=9))
    ActionItemFactory(meeting=past, owner_user=users["head"], due_date=today - timedelta(days=1),
                      status=ActionItem.Status.DONE, completion_note="Selesai")
    run_sweeps(now=at(today, reminders.REMINDER_HOUR), rules=reminders.RULES)
    assert sent_to(reminders.KIND_ACTION_DUE) == {"pk@test.local"}
    assert sent_to(reminders.KIND_ACTION_OVERDUE) == {"mitra@test.local"}
