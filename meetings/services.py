"""Every write to a meeting goes through a function here: validate, save atomically, keep history.

Functions take keyword arguments and the acting user ``by``; they raise ``ValidationError`` with
translated messages (keyed by form field where one applies) and never save half a change.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bapas.uploads import validate_upload

from . import notices
from .models import (
    ActionItem,
    AgendaItem,
    Attachment,
    Attendance,
    CalendarToken,
    Decision,
    Invitation,
    Meeting,
    MeetingClient,
)


def _save(obj, by) -> None:
    obj._history_user = by
    obj.save()


# --- The meeting itself --------------------------------------------------------------------

@dataclass(frozen=True)
class AgendaRow:
    title: str
    presenter: str = ""


def meeting_save(
    *,
    meeting: Meeting,
    agenda: Sequence[AgendaRow],
    partners: Iterable,
    invitees: Iterable,
    by,
    notify_invitees: bool = True,
) -> Meeting:
    """Create or update a meeting with its agenda, invited organisations and people.

    Agenda rows replace the previous agenda in the given order. People no longer invited lose
    their invitation (and its answer); people still invited keep theirs. People newly invited
    to an upcoming meeting are notified.
    """
    creating = meeting.pk is None
    if creating:
        meeting.created_by = by
    meeting.full_clean()
    partners = list(partners)
    invitees = list(invitees)
    with transaction.atomic():
        _save(meeting, by)
        meeting.partners.set(partners)

        old_items = list(meeting.agenda_items.all())
        for position, row in enumerate(agenda, start=1):
            item = old_items.pop(0) if old_items else AgendaItem(meeting=meeting)
            item.position, item.title, item.presenter = position, row.title, row.presenter
            _save(item, by)
        for item in old_items:
            item._history_user = by
            item.delete()

        wanted = {user.pk for user in invitees}
        for invitation in meeting.invitations.exclude(user_id__in=wanted):
            invitation._history_user = by
            invitation.delete()
        existing = set(meeting.invitations.values_list("user_id", flat=True))
        added = [user for user in invitees if user.pk not in existing]
        for user in added:
            _save(Invitation(meeting=meeting, user=user), by)
        if notify_invitees:
            notices.invited(meeting, [user for user in added if user.pk != by.pk])
    return meeting


def meeting_cancel(*, meeting: Meeting, reason: str, by) -> Meeting:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the meeting is cancelled.")})
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting is already cancelled."))
    meeting.cancelled_at = timezone.now()
    meeting.cancel_reason = reason[:255]
    with transaction.atomic():
        _save(meeting, by)
        notices.cancelled(meeting)
    return meeting


# --- Invitations ---------------------------------------------------------------------------

def invitation_respond(*, meeting: Meeting, user, response: str, note: str = "", by) -> Invitation:
    """Record a person's answer. Partner staff of an invited organisation who had no personal
    invitation get one now, so the organiser sees who is coming."""
    if response not in (Invitation.Response.CONFIRMED, Invitation.Response.DECLINED,
                        Invitation.Response.PENDING):
        raise ValidationError({"response": _("Choose whether you will attend.")})
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting has been cancelled."))
    note = (note or "").strip()
    with transaction.atomic():
        invitation, _created = Invitation.objects.select_for_update().get_or_create(
            meeting=meeting, user=user
        )
        invitation.response = response
        invitation.response_note = note[:255]
        invitation.responded_at = timezone.now() if response != Invitation.Response.PENDING \
            else None
        _save(invitation, by)
    return invitation


# --- Attendance ----------------------------------------------------------------------------

@dataclass(frozen=True)
class WalkIn:
    name: str
    organisation: str = ""
    position: str = ""


def _refuse_future(meeting: Meeting, message: str) -> None:
    if not meeting.has_started_day:
        raise ValidationError(message % {"day": date_format(meeting.day, "DATE_FORMAT")})


def attendance_record(
    *,
    meeting: Meeting,
    present_user_ids: Iterable[int],
    walk_ins: Sequence[WalkIn] = (),
    keep_walk_in_ids: Iterable[int] | None = None,
    by,
) -> list[Attendance]:
    """Set who came: a row per invitee (present or not), and the walk-ins.

    ``keep_walk_in_ids``: walk-in rows already recorded that stay (others are removed as a
    correction); ``None`` keeps them all.
    """
    _refuse_future(meeting, _(
        "This meeting has not taken place yet: attendance can be recorded from its day "
        "(%(day)s) on."
    ))
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting has been cancelled."))
    present = set(present_user_ids)
    invitee_ids = set(meeting.invitations.values_list("user_id", flat=True))
    unknown = present - invitee_ids
    if unknown:
        raise ValidationError(_("Only invited people can be ticked; add others as walk-ins."))
    for walk_in in walk_ins:
        if not walk_in.name.strip():
            raise ValidationError({"walk_ins": _("Each walk-in needs a name.")})
    with transaction.atomic():
        rows = {row.user_id: row for row in meeting.attendance.filter(user__isnull=False)}
        for user_id in invitee_ids:
            row = rows.get(user_id) or Attendance(meeting=meeting, user_id=user_id, recorded_by=by)
            if row.pk is None or row.present != (user_id in present):
                row.present = user_id in present
                row.recorded_by, row.recorded_at = by, timezone.now()
                _save(row, by)
        # Invitees removed from the meeting after attendance was taken keep no row.
        for user_id, row in rows.items():
            if user_id not in invitee_ids:
                row._history_user = by
                row.delete()
        if keep_walk_in_ids is not None:
            keep = set(keep_walk_in_ids)
            for row in meeting.attendance.filter(user__isnull=True).exclude(pk__in=keep):
                row._history_user = by
                row.delete()
        for walk_in in walk_ins:
            _save(Attendance(
                meeting=meeting, name=walk_in.name.strip()[:200],
                organisation=walk_in.organisation.strip()[:200],
                position=walk_in.position.strip()[:200], present=True, recorded_by=by,
            ), by)
    return list(meeting.attendance.select_related("user"))


# --- Minutes and decisions -----------------------------------------------------------------

def minutes_save(
    *, meeting: Meeting, minutes: str, decisions: Sequence[str], chair=None, minutes_taker=None,
    by,
) -> Meeting:
    """Write the minutes (notulen) and replace the decisions with the given ordered list."""
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting has been cancelled."))
    decisions = [text.strip() for text in decisions if text and text.strip()]
    if (minutes.strip() or decisions) and not meeting.has_started_day:
        _refuse_future(meeting, _(
            "This meeting has not taken place yet: minutes and decisions can be written from "
            "its day (%(day)s) on."
        ))
    meeting.minutes = minutes.strip()
    meeting.chair = chair
    meeting.minutes_taker = minutes_taker
    meeting.minutes_updated_at = timezone.now()
    with transaction.atomic():
        _save(meeting, by)
        old = list(meeting.decisions.all())
        for position, text in enumerate(decisions, start=1):
            row = old.pop(0) if old else Decision(meeting=meeting)
            if row.pk is None or row.text != text or row.position != position:
                row.position, row.text = position, text
                _save(row, by)
        for row in old:
            row._history_user = by
            row.delete()
    return meeting


# --- Attachments ---------------------------------------------------------------------------

def attachment_add(
    *, meeting: Meeting, upload, title: str = "", shared_with_partners: bool = False, by
) -> Attachment:
    try:
        validate_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    title = (title or "").strip() or upload.name
    content_type = mimetypes.guess_type(upload.name)[0] or "application/octet-stream"
    attachment = Attachment(
        meeting=meeting, title=title[:200], content_type=content_type, size=upload.size,
        shared_with_partners=shared_with_partners, uploaded_by=by,
    )
    with transaction.atomic():
        attachment.file.save(upload.name, upload, save=False)
        _save(attachment, by)
    return attachment


def attachment_delete(*, attachment: Attachment, by) -> None:
    with transaction.atomic():
        attachment._history_user = by
        stored_name = attachment.file.name
        storage = attachment.file.storage
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(stored_name))


# --- Clients and revocation proposals ------------------------------------------------------

def meeting_link_client(*, meeting: Meeting, client, note: str = "", by) -> MeetingClient:
    if client.office_id != meeting.office_id:
        raise ValidationError({"client": _("This client belongs to another office.")})
    with transaction.atomic():
        link, created = MeetingClient.objects.get_or_create(
            meeting=meeting, client=client, defaults={"note": note[:255], "added_by": by}
        )
        if not created and note and link.note != note:
            link.note = note[:255]
            _save(link, by)
    return link


def meeting_unlink_client(*, link: MeetingClient, by) -> None:
    pending = link.meeting.revocation_proposals.filter(
        order__client_id=link.client_id, status="pending"
    )
    if pending.exists():
        raise ValidationError(
            _("This client's revocation proposal is on the agenda; remove it first.")
        )
    link._history_user = by
    link.delete()


def hearing_add_revocation(*, meeting: Meeting, proposal, by) -> None:
    """Put a pending revocation proposal on a TPP hearing (and the client on its list)."""
    from .models import MeetingKind

    if meeting.kind != MeetingKind.TPP:
        raise ValidationError(_("Revocation proposals are heard at a TPP hearing."))
    if proposal.status != proposal.Status.PENDING:
        raise ValidationError(_("Only a proposal awaiting a decision can be put on a hearing."))
    client = proposal.order.client
    if client.office_id != meeting.office_id:
        raise ValidationError(_("This proposal belongs to another office."))
    with transaction.atomic():
        meeting._history_user = by
        meeting.revocation_proposals.add(proposal)
        meeting_link_client(
            meeting=meeting, client=client, note=_("Revocation proposal"), by=by,
        )


def hearing_remove_revocation(*, meeting: Meeting, proposal, by) -> None:
    meeting._history_user = by
    meeting.revocation_proposals.remove(proposal)


# --- Action items --------------------------------------------------------------------------

def action_item_create(
    *, meeting: Meeting, description: str, owner_user=None, owner_partner=None, due_date, by
) -> ActionItem:
    item = ActionItem(
        meeting=meeting, description=(description or "").strip(), owner_user=owner_user,
        owner_partner=owner_partner, due_date=due_date, created_by=by,
    )
    item.full_clean()
    with transaction.atomic():
        _save(item, by)
        notices.action_assigned(item)
    return item


def action_item_update(
    *, item: ActionItem, status: str, completion_note: str = "", due_date=None, by
) -> ActionItem:
    """Change an item's status (a completion note is required to close it as done)."""
    if status not in ActionItem.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    previous_status = item.status
    item.status = status
    item.completion_note = (completion_note or "").strip()
    if due_date is not None:
        item.due_date = due_date
    if status == ActionItem.Status.OPEN:
        item.completed_at = None
        item.completed_by = None
    elif item.completed_at is None or previous_status != status:
        item.completed_at = timezone.now()
        item.completed_by = by
    item.full_clean()
    with transaction.atomic():
        _save(item, by)
    return item


# --- Calendar tokens -----------------------------------------------------------------------

def calendar_token_issue(*, user) -> CalendarToken:
    """A new secret feed URL; the previous one stops working at once."""
    with transaction.atomic():
        calendar_token_revoke(user=user)
        token = CalendarToken(user=user)
        _save(token, user)
    return token


def calendar_token_revoke(*, user) -> int:
    revoked = 0
    for token in CalendarToken.objects.select_for_update().filter(
        user=user, revoked_at__isnull=True
    ):
        token.revoked_at = timezone.now()
        _save(token, user)
        revoked += 1
    return revoked
