"""The referrals' contribution to the client's timeline: every status change and every session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext

from bapas.models import Role
from bapas.roles import can
from clients.timeline import TimelineEntry
from clients.timeline_sources import choice_labels, url_maker

from .models import STATUS_BADGES, ReferralEvent, ReferralStatus, ServiceSession
from .models.referrals import ATTENDANCE_BADGES

ICONS = {
    ReferralStatus.DRAFT: "pencil-square",
    ReferralStatus.SENT: "send",
    ReferralStatus.ACCEPTED: "hand-thumbs-up",
    ReferralStatus.DECLINED: "hand-thumbs-down",
    ReferralStatus.IN_PROGRESS: "play-circle",
    ReferralStatus.COMPLETED: "check2-circle",
    ReferralStatus.WITHDRAWN: "x-circle",
    ReferralStatus.ENDED_EARLY: "stop-circle",
}


def referral_entries(client, user) -> Iterator[TimelineEntry]:
    """Two queries whatever the number of referrals, events and sessions.

    The client page builds these on every view: the rows are read as tuples (no model
    instances) and each label is translated once, not once per entry.
    """
    if not getattr(user, "is_authenticated", False) or user.role in {Role.PARTNER, Role.REGIONAL}:
        return
    # Operators see the entries on the client page but cannot open referral pages.
    linked = can(user, "referrals.manage")

    # One reverse() for every entry's link (the referral page), not one per entry.
    url = url_maker("partners:referral_detail") if linked else lambda referral_id: ""
    status_labels = choice_labels(ReferralStatus)
    attendance_labels = choice_labels(ServiceSession.Attendance)
    referral_title = gettext("Referral to %(partner)s (%(service)s)")
    session_title = gettext("Service session at %(partner)s: %(service)s")

    events = (
        ReferralEvent.objects.filter(referral__order__client=client)
        .order_by("at", "id")
        .values_list("at", "to_status", "reason", "referral_id", "referral__partner__name",
                     "referral__service__name", "by__full_name", "by__email")
    )
    for at, to_status, reason, referral_id, partner, service, by_name, by_email in events:
        yield TimelineEntry(
            at=at,
            category="referral",
            title=referral_title % {"partner": partner, "service": service},
            detail=reason,
            url=url(referral_id),
            icon=ICONS.get(to_status, "arrow-right-circle"),
            badge=status_labels[to_status],
            badge_class=STATUS_BADGES[to_status],
            extra={"by": by_name or by_email or "", "referral_id": referral_id},
        )
    sessions = (
        ServiceSession.objects.filter(referral__order__client=client)
        .order_by("date", "id")
        .values_list("date", "activity", "attendance", "duration_minutes", "referral_id",
                     "referral__partner__name", "referral__service__name")
    )
    for day, activity, attendance, minutes, referral_id, partner, service in sessions:
        yield TimelineEntry(
            at=timezone.make_aware(datetime.combine(day, time.min)),
            category="referral",
            title=session_title % {"partner": partner, "service": service},
            detail=activity,
            url=url(referral_id),
            icon="clipboard-check",
            badge=attendance_labels[attendance],
            badge_class=ATTENDANCE_BADGES[attendance],
            extra={"duration_minutes": minutes, "referral_id": referral_id},
        )
