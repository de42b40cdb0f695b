"""Event messages of the meetings app, sent through the notification engine.

Each recipient gets them on the channels they chose, in their language. Texts never name a
client: a TPP hearing or case conference is named by its title only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bapas.models import Role, User
from bapas.notifications.services import notify

KIND_INVITED = "meetings.invited"
KIND_CANCELLED = "meetings.cancelled"
KIND_ACTION_ASSIGNED = "meetings.action_assigned"


def when_and_where(meeting) -> str:
    when = date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")
    where = meeting.place or _("online")
    return f"{when} · {where}"


def invited(meeting, users: Iterable) -> None:
    """Tell people newly invited to an upcoming meeting."""
    if meeting.is_cancelled or not meeting.is_upcoming:
        return
    for user in users:
        notify(
            recipient=user, kind=KIND_INVITED, obj=meeting, link=meeting.get_absolute_url(),
            subject=lambda: _("Invitation: %(title)s") % {"title": meeting.title},
            body=lambda: _("%(when)s. Please say on the meeting page whether you will attend.")
            % {"when": when_and_where(meeting)},
        )


def cancelled(meeting) -> None:
    """Tell everyone invited who had not declined that the meeting will not take place."""
    invitations = meeting.invitations.exclude(response="declined").select_related("user")
    for invitation in invitations:
        notify(
            recipient=invitation.user, kind=KIND_CANCELLED, obj=meeting,
            link=meeting.get_absolute_url(),
            subject=lambda: _("Cancelled: %(title)s") % {"title": meeting.title},
            body=lambda: _("The meeting of %(when)s is cancelled: %(reason)s")
            % {"when": when_and_where(meeting), "reason": meeting.cancel_reason},
        )


def action_owners(item) -> list:
    """The people who answer for an action item: its owner, or the organisation's staff."""
    if item.owner_user_id:
        return [item.owner_user] if item.owner_user.is_active else []
    return list(User.objects.filter(role=Role.PARTNER, partner_id=item.owner_partner_id,
                                    is_active=True))


def action_assigned(item) -> None:
    for user in action_owners(item):
        notify(
            recipient=user, kind=KIND_ACTION_ASSIGNED, obj=item,
            link=item.meeting.get_absolute_url() + "#actions",
            subject=lambda: _("New action item from %(title)s") % {"title": item.meeting.title},
            body=lambda: _("%(what)s (due %(due)s)")
            % {"what": item.description[:300],
               "due": date_format(item.due_date, "SHORT_DATE_FORMAT")},
        )
