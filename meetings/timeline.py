"""The client timeline's "meetings" source: the hearings and conferences that discussed them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clients.timeline import TimelineEntry

from .models import Meeting, MeetingClient


def meetings_source(client, user):
    """One entry per meeting that discussed the client and that the user may see (2 queries)."""
    links = (
        MeetingClient.objects.filter(client=client, meeting__in=Meeting.objects.for_user(user))
        .select_related("meeting")
        .order_by("-meeting__starts_at")
    )
    for link in links:
        meeting = link.meeting
        yield TimelineEntry(
            at=meeting.starts_at,
            category="meeting",
            title=meeting.title,
            detail=link.note,
            url=meeting.get_absolute_url(),
            icon="people",
            badge=_("cancelled") if meeting.is_cancelled else meeting.get_kind_display(),
            badge_class="text-bg-secondary" if meeting.is_cancelled else meeting.kind_badge,
        )
