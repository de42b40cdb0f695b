"""The referrals' contribution to the client's timeline: every status change and every session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bapas.models import Role
from bapas.roles import can
from clients.timeline import TimelineEntry
from clients.timeline_sources import url_maker

from .models import ReferralEvent, ReferralStatus, ServiceSession

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
    """Two queries whatever the number of referrals, events and sessions."""
    if not getattr(user, "is_authenticated", False) or user.role in {Role.PARTNER, Role.REGIONAL}:
        return
    # Operators see the entries on the client page but cannot open referral pages.
    linked = can(user, "referrals.manage")

    # One reverse() for every entry's link (the referral page), not one per entry.
    url = url_maker("partners:referral_detail") if linked else lambda referral_id: ""

    events = (
        ReferralEvent.objects.filter(referral__order__client=client)
        .select_related("referral__partner", "referral__service", "by")
        .only("to_status", "reason", "at", "referral__partner__name",
              "referral__service__name", "by__full_name", "by__email")
        .order_by("at", "id")
    )
    for event in events:
        referral = event.referral
        yield TimelineEntry(
            at=event.at,
            category="referral",
            title=_("Referral to %(partner)s (%(service)s)")
            % {"partner": referral.partner.name, "service": referral.service.name},
            detail=event.reason,
            url=url(referral.pk),
            icon=ICONS.get(event.to_status, "arrow-right-circle"),
            badge=str(ReferralStatus(event.to_status).label),
            badge_class=event.status_badge,
            extra={"by": str(event.by), "referral_id": referral.pk},
        )
    sessions = (
        ServiceSession.objects.filter(referral__order__client=client)
        .select_related("referral__partner", "referral__service")
        .only("date", "activity", "attendance", "duration_minutes", "referral__partner__name",
              "referral__service__name")
        .order_by("date", "id")
    )
    for session in sessions:
        referral = session.referral
        yield TimelineEntry(
            at=timezone.make_aware(datetime.combine(session.date, time.min)),
            category="referral",
            title=_("Service session at %(partner)s: %(service)s")
            % {"partner": referral.partner.name, "service": referral.service.name},
            detail=session.activity,
            url=url(referral.pk),
            icon="clipboard-check",
            badge=str(session.get_attendance_display()),
            badge_class=session.attendance_badge,
            extra={"duration_minutes": session.duration_minutes, "referral_id": referral.pk},
        )
