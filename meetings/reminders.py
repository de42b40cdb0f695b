"""Reminder rules of the meetings app, run by the notification engine's sweeps.

- from 07:00 the day before a meeting: each invitee who has not declined;
- from 07:00 two days before an open action item is due, and again the day after it was due:
  its owner (or the owning organisation's staff).

Each rule reads a constant number of queries whatever the number of meetings or people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bapas.models import Role, User
from bapas.notifications.engine import Draft, Rule, preferences_for, user_drafts
from bapas.notifications.models import Notification

from .models import ActionItem, Invitation
from .notices import when_and_where

KIND_TOMORROW = "meetings.tomorrow"
KIND_ACTION_DUE = "meetings.action_due"
KIND_ACTION_OVERDUE = "meetings.action_overdue"

REMINDER_HOUR = 7
DUE_SOON_DAYS = 2


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def build_tomorrow(now: datetime) -> list[Draft]:
    local = timezone.localtime(now)
    if local.hour < REMINDER_HOUR:
        return []
    today = local.date()
    start = _at(today + timedelta(days=1), 0)
    invitations = list(
        Invitation.objects.filter(
            meeting__starts_at__gte=start, meeting__starts_at__lt=start + timedelta(days=1),
            meeting__cancelled_at__isnull=True, user__is_active=True,
        ).exclude(response=Invitation.Response.DECLINED).select_related("meeting", "user")
    )
    preferences = preferences_for({inv.user_id: inv.user for inv in invitations}.values())
    drafts: list[Draft] = []
    for invitation in invitations:
        meeting = invitation.meeting
        drafts += user_drafts(
            user=invitation.user, preference=preferences[invitation.user_id],
            kind=KIND_TOMORROW, about=meeting, due_at=_at(today, REMINDER_HOUR),
            link=meeting.get_absolute_url(),
            render=lambda m=meeting: (
                _("Tomorrow: %(title)s") % {"title": m.title}, when_and_where(m)
            ),
        )
    return drafts


def stale_tomorrow(pending: Sequence[Notification], now: datetime) -> list[int]:
    """A reminder of a meeting that was cancelled or moved off tomorrow no longer applies."""
    stale = []
    for notification in pending:
        meeting = notification.about
        if meeting is None:
            continue
        reminder_day = timezone.localdate(notification.due_at)
        if meeting.is_cancelled or meeting.day != reminder_day + timedelta(days=1):
            stale.append(notification.pk)
    return stale


def _owners_by_partner(items: list[ActionItem]) -> dict[int, list]:
    partner_ids = {item.owner_partner_id for item in items if item.owner_partner_id}
    staff: dict[int, list] = defaultdict(list)
    for user in User.objects.filter(role=Role.PARTNER, partner_id__in=partner_ids,
                                    is_active=True):
        staff[user.partner_id].append(user)
    return staff


def build_action_reminders(now: datetime) -> list[Draft]:
    local = timezone.localtime(now)
    if local.hour < REMINDER_HOUR:
        return []
    today = local.date()
    items = list(
        ActionItem.objects.open()
        .filter(due_date__in=[today + timedelta(days=DUE_SOON_DAYS), today - timedelta(days=1)])
        .select_related("meeting", "owner_user")
    )
    staff = _owners_by_partner(items)
    recipients: dict[int, list] = {}
    for item in items:
        if item.owner_user_id:
            recipients[item.pk] = [item.owner_user] if item.owner_user.is_active else []
        else:
            recipients[item.pk] = staff.get(item.owner_partner_id, [])
    everyone = {user.pk: user for users in recipients.values() for user in users}
    preferences = preferences_for(everyone.values())
    drafts: list[Draft] = []
    for item in items:
        overdue = item.due_date < today
        kind = KIND_ACTION_OVERDUE if overdue else KIND_ACTION_DUE

        def render(item=item, overdue=overdue):
            due = date_format(item.due_date, "SHORT_DATE_FORMAT")
            subject = (_("Overdue action item (due %(due)s)") if overdue
                       else _("Action item due %(due)s")) % {"due": due}
            return subject, f"{item.description[:300]} · {item.meeting.title}"

        for user in recipients[item.pk]:
            drafts += user_drafts(
                user=user, preference=preferences[user.pk], kind=kind, about=item,
                due_at=_at(today, REMINDER_HOUR), render=render,
                link=f"{item.meeting.get_absolute_url()}#actions",
            )
    return drafts


def stale_action_reminders(pending: Sequence[Notification], now: datetime) -> list[int]:
    return [n.pk for n in pending
            if n.about is not None and n.about.status != ActionItem.Status.OPEN]


RULES = [
    Rule(name="meetings.tomorrow", kinds=(KIND_TOMORROW,), build=build_tomorrow,
         stale=stale_tomorrow),
    Rule(name="meetings.action_items", kinds=(KIND_ACTION_DUE, KIND_ACTION_OVERDUE),
         build=build_action_reminders, stale=stale_action_reminders),
]
