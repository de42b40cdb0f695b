"""Who may see and do what with a meeting. The one place views ask."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Exists, OuterRef

from bapas.models import Role
from bapas.roles import can

from .models import ActionItem, Meeting, MeetingClient

# Referral statuses in which the partner was never (draft) or is no longer (withdrawn) told.
HIDDEN_REFERRAL_STATUSES = ("draft", "withdrawn")


def is_office_staff(user, meeting: Meeting) -> bool:
    """Officers of the organising office (and administrators) see everything of a meeting."""
    if user.is_admin:
        return True
    return user.works_in_office and user.office_id == meeting.office_id


def can_manage(user, meeting: Meeting) -> bool:
    """Change the meeting and record its attendance, minutes, attachments and action items:
    the office's supervisors and head, and the PK who organises or chairs it."""
    if not can(user, "meetings.manage") or user.office_id != meeting.office_id:
        return False
    return user.is_manager or user.pk in {meeting.created_by_id, meeting.chair_id}


def can_decide_revocations(user, meeting: Meeting) -> bool:
    return can(user, "clients.decide_revocation") and user.office_id == meeting.office_id


def is_invited(user, meeting: Meeting) -> bool:
    if meeting.invitations.filter(user=user).exists():
        return True
    return bool(user.partner_id) and meeting.partners.filter(pk=user.partner_id).exists()


def can_update_action(user, item: ActionItem) -> bool:
    if can_manage(user, item.meeting):
        return True
    if item.owner_user_id and item.owner_user_id == user.pk:
        return True
    return bool(
        user.role == Role.PARTNER and item.owner_partner_id
        and item.owner_partner_id == user.partner_id
    )


def _referral_model():
    try:
        return apps.get_model("partners", "Referral")
    except LookupError:  # the partners app has no referrals (yet)
        return None


def visible_linked_clients(meeting: Meeting, user) -> list[MeetingClient]:
    """The clients discussed at a meeting that this user may see.

    Office staff of the organising office see them all, except that a PK who neither organises
    nor attends sees only their own caseload. Partner staff see a client only while the
    client has a referral to their organisation that the partner has been told about (sent,
    accepted, in progress or closed; never drafts or withdrawn ones). Anyone else sees none.
    """
    links = MeetingClient.objects.filter(meeting=meeting).select_related("client")
    if user.is_admin:
        return list(links)
    if user.role == Role.PARTNER:
        referral_model = _referral_model()
        if referral_model is None or not user.partner_id:
            return []
        referred = referral_model.objects.filter(
            order__client=OuterRef("client"), partner_id=user.partner_id,
        ).exclude(status__in=HIDDEN_REFERRAL_STATUSES)
        return list(links.filter(Exists(referred)))
    if not is_office_staff(user, meeting):
        return []
    if user.role == Role.PK:
        involved = user.pk in {meeting.created_by_id, meeting.chair_id} or (
            meeting.invitations.filter(user=user).exists()
        )
        if not involved:
            from clients.models import Client

            return list(links.filter(client__in=Client.objects.for_user(user)))
    return list(links)
