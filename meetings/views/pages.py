"""Planning a meeting (create, edit, cancel), its page, and invitations and their answers."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bapas.audit import log_access
from bapas.models import AccessLog
from bapas.roles import capability_required

from ..forms import (
    ActionItemForm,
    AddRevocationForm,
    AgendaFormSet,
    AttachmentForm,
    CancelForm,
    LinkClientForm,
    MeetingForm,
    OrganiserResponseForm,
    ResponseForm,
)
from ..models import Invitation, Meeting, MeetingKind
from ..selectors import (
    can_decide_revocations,
    can_manage,
    can_update_action,
    is_invited,
    is_office_staff,
    visible_linked_clients,
)
from ..services import AgendaRow, invitation_respond, meeting_cancel, meeting_save
from .common import add_service_errors, managed_meeting, visible_meeting
from .hearing import pending_proposals_for
from .records import linkable_clients


def _next_working_morning() -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def _meeting_form_page(request, meeting: Meeting, *, creating: bool):
    initial = {}
    if creating:
        initial = {"starts_at": _next_working_morning(), "duration_minutes": 120}
    form = MeetingForm(request.POST or None, instance=meeting, office=meeting.office,
                       initial=initial)
    agenda_initial = (
        [{"title": item.title, "presenter": item.presenter}
         for item in meeting.agenda_items.all()] if meeting.pk else []
    )
    agenda = AgendaFormSet(request.POST or None, initial=agenda_initial, prefix="agenda")
    if request.method == "POST" and form.is_valid() and agenda.is_valid():
        rows = [
            AgendaRow(title=row["title"].strip(), presenter=row.get("presenter", "").strip())
            for row in agenda.cleaned_data if row.get("title", "").strip()
        ]
        try:
            meeting = meeting_save(
                meeting=form.save(commit=False), agenda=rows,
                partners=form.cleaned_data["partners"], invitees=form.cleaned_data["invitees"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The meeting has been planned.") if creating
                else _("The meeting has been saved.")
            )
            return redirect(meeting)
    return render(request, "meetings/form.html", {
        "form": form, "agenda": agenda, "meeting": meeting, "creating": creating,
    })


@login_required
@capability_required("meetings.manage")
@never_cache
def meeting_create(request):
    kind = request.GET.get("kind")
    meeting = Meeting(
        office=request.user.office,
        kind=kind if kind in MeetingKind.values else MeetingKind.COORDINATION,
    )
    return _meeting_form_page(request, meeting, creating=True)


@login_required
@capability_required("meetings.manage")
@never_cache
def meeting_edit(request, pk: int):
    return _meeting_form_page(request, managed_meeting(request, pk), creating=False)


@login_required
@capability_required("meetings.manage")
@require_POST
def meeting_cancel_view(request, pk: int):
    meeting = managed_meeting(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            meeting_cancel(meeting=meeting, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The meeting has been cancelled."))
    else:
        messages.error(request, _("Say why the meeting is cancelled."))
    return redirect(meeting)


@login_required
@capability_required("meetings.view")
@never_cache
def meeting_detail(request, pk: int):
    user = request.user
    meeting = visible_meeting(request, pk)
    office_staff = is_office_staff(user, meeting)
    manage = can_manage(user, meeting)
    invitations = list(meeting.invitations.select_related("user__partner", "user__office"))
    my_invitation = next((inv for inv in invitations if inv.user_id == user.pk), None)
    may_respond = not meeting.is_cancelled and meeting.is_upcoming and (
        my_invitation is not None or is_invited(user, meeting)
    )
    linked = visible_linked_clients(meeting, user)
    if linked:
        log_access(request, meeting, AccessLog.Action.VIEW)
    attachments = meeting.attachments.select_related("uploaded_by")
    if not office_staff:
        attachments = attachments.filter(shared_with_partners=True)
    actions = list(
        meeting.action_items.select_related("owner_user", "owner_partner").order_by(
            "status", "due_date", "id"
        )
    )
    for item in actions:
        item.can_update = can_update_action(user, item)
    revocations = []
    if office_staff and meeting.kind == MeetingKind.TPP:
        revocations = list(meeting.revocation_proposals.select_related(
            "order__client", "proposed_by", "decided_by"
        ))
    context = {
        "meeting": meeting,
        "agenda_items": meeting.agenda_items.all(),
        "partners": meeting.partners.all(),
        "invitations": invitations,
        "my_invitation": my_invitation,
        "may_respond": may_respond,
        "response_form": ResponseForm(initial={"response": getattr(my_invitation, "response",
                                                                   None)}),
        "linked_clients": linked,
        "office_staff": office_staff,
        "manage": manage,
        "attendance": meeting.attendance.select_related("user__partner").order_by("id"),
        "decisions": meeting.decisions.all(),
        "actions": actions,
        "attachments": attachments,
        "revocations": revocations,
        "can_decide": can_decide_revocations(user, meeting),
        "can_print_all": office_staff,
    }
    if manage:
        context.update({
            "action_form": ActionItemForm(meeting=meeting),
            "attachment_form": AttachmentForm(),
            "link_client_form": LinkClientForm(clients=linkable_clients(user)),
            "cancel_form": CancelForm(),
        })
        if meeting.kind == MeetingKind.TPP:
            proposals = pending_proposals_for(user, meeting)
            context["revocation_form"] = AddRevocationForm(proposals=proposals)
            context["has_pending_proposals"] = proposals.exists()
    return render(request, "meetings/detail.html", context)


@login_required
@capability_required("meetings.view")
@require_POST
def respond(request, pk: int):
    """The invitee's own answer: confirm or decline."""
    meeting = visible_meeting(request, pk)
    if not is_invited(request.user, meeting):
        raise PermissionDenied
    form = ResponseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether you will attend."))
        return redirect(meeting)
    try:
        invitation_respond(meeting=meeting, user=request.user,
                           response=form.cleaned_data["response"],
                           note=form.cleaned_data["note"], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Thank you: you will attend.") if form.cleaned_data["response"]
            == Invitation.Response.CONFIRMED else _("Thank you: your absence has been noted."),
        )
    return redirect(meeting)


@login_required
@capability_required("meetings.manage")
@never_cache
def invitations(request, pk: int):
    """Who was invited and what they answered; the organiser notes answers given by phone."""
    meeting = managed_meeting(request, pk)
    rows = list(meeting.invitations.select_related("user__partner", "user__office"))
    if request.method == "POST":
        form = OrganiserResponseForm(request.POST)
        invitation = None
        if form.is_valid():
            invitation = next(
                (row for row in rows if row.pk == form.cleaned_data["invitation"]), None
            )
        if invitation is None:
            messages.error(request, _("Choose an invitation and an answer."))
        else:
            try:
                invitation_respond(meeting=meeting, user=invitation.user,
                                   response=form.cleaned_data["response"],
                                   note=form.cleaned_data["note"], by=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The answer of %(name)s has been saved.")
                                 % {"name": invitation.user.full_name})
        return redirect("meetings:invitations", pk=meeting.pk)
    partners = list(meeting.partners.all())
    answered_partner_ids = {
        row.user.partner_id for row in rows
        if row.user.partner_id and row.response == Invitation.Response.CONFIRMED
    }
    summary = {
        value: sum(1 for row in rows if row.response == value)
        for value in Invitation.Response.values
    }
    return render(request, "meetings/invitations.html", {
        "meeting": meeting, "rows": rows, "partners": partners,
        "answered_partner_ids": answered_partner_ids, "summary": summary,
        "responses": Invitation.Response.choices,
    })
