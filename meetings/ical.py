"""iCalendar documents: a user's private feed and a single meeting's event.

Feeds are read by phone and Outlook/Google calendars outside the office, so they carry no client
names: a planned contact shows the kind, the client's initials and register number only.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import NoReverseMatch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from bapas.models import Role

from .models import Invitation, Meeting

CONTACT_DURATION = timedelta(minutes=30)
DASH = "\u2013"  # en dash between the kind and the client's initials
FEED_PAST_DAYS = 90  # past events kept in the feed so this month's calendar stays complete
FEED_FUTURE_DAYS = 400


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "bapas.local"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def initials(full_name: str) -> str:
    """'Agus Prasetyo' -> 'A.P.'; keeps the calendar entry from naming the client."""
    parts = [part for part in full_name.replace(".", " ").split() if part[:1].isalpha()]
    return "".join(f"{part[0].upper()}." for part in parts[:4]) or "?"


def new_calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Bapas Case Management//meetings//ID")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    # Subscribed calendars poll this often (hint; Google decides for itself).
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    return calendar


def meeting_event(meeting: Meeting, *, response: str | None = None) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{_host()}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(meeting.starts_at))
    event.add("dtend", timezone.localtime(meeting.effective_end))
    event.add("summary", f"{meeting.get_kind_display()}: {meeting.title}")
    location = ", ".join(part for part in (meeting.place, meeting.online_link) if part)
    if location:
        event.add("location", location)
    if meeting.online_link:
        event.add("url", meeting.online_link)
    description = [meeting.office.name]
    agenda = [item.title for item in meeting.agenda_items.all()]
    if agenda:
        description.append(_("Agenda:"))
        description.extend(f"{number}. {title}" for number, title in enumerate(agenda, 1))
    description.append(_absolute(meeting.get_absolute_url()))
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    if response == Invitation.Response.DECLINED:
        event.add("transp", "TRANSPARENT")
    event.add("last-modified", meeting.minutes_updated_at or meeting.created_at)
    return event


def contact_event(contact) -> Event:
    client = contact.order.client
    event = Event()
    event.add("uid", f"contact-{contact.pk}@{_host()}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(contact.planned_at))
    event.add("dtend", timezone.localtime(contact.planned_at + CONTACT_DURATION))
    event.add("summary", f"{contact.get_kind_display()} {DASH} {initials(client.full_name)} "
                         f"({client.register_number})")
    with contextlib.suppress(NoReverseMatch):  # the contact page is not there (yet)
        event.add("description", _absolute(contact.get_absolute_url()))
    event.add("status", "CONFIRMED")
    return event


def user_feed(user) -> bytes:
    """The user's meetings and, for officers, their planned client contacts."""
    now = timezone.now()
    since, until = now - timedelta(days=FEED_PAST_DAYS), now + timedelta(days=FEED_FUTURE_DAYS)
    with translation.override(settings.LANGUAGE_CODE):
        calendar = new_calendar(_("Bapas: %(name)s") % {"name": user.full_name})
        responses = dict(
            Invitation.objects.filter(user=user).values_list("meeting_id", "response")
        )
        meetings = (
            Meeting.objects.for_user(user).involving(user)
            .filter(starts_at__gte=since, starts_at__lte=until)
            .select_related("office").prefetch_related("agenda_items")
            .order_by("starts_at")
        )
        for meeting in meetings:
            calendar.add_component(meeting_event(meeting, response=responses.get(meeting.pk)))
        if user.role in {Role.PK, Role.SUPERVISOR, Role.HEAD, Role.OPERATOR}:
            for contact in planned_contacts(user, since, until):
                calendar.add_component(contact_event(contact))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def planned_contacts(user, since, until):
    from django.db.models import Q

    from clients.models import Contact

    return (
        Contact.objects.for_user(user).planned()
        .filter(Q(officer=user) | Q(order__assigned_pk=user))
        .filter(planned_at__gte=since, planned_at__lte=until)
        .select_related("order__client")
        .order_by("planned_at")
    )


def single_meeting(meeting: Meeting) -> bytes:
    """One event, in the language of the person downloading it."""
    calendar = new_calendar(meeting.title)
    calendar.add_component(meeting_event(meeting))
    calendar.add_missing_timezones()
    return calendar.to_ical()
