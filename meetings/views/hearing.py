"""TPP hearings: put a pending revocation proposal on the hearing and record its decision.

The decision itself belongs to the clients app (``clients.services.orders.revocation_decide``):
the order's status change, its history and its checks live there; this page only lets the
head or supervisor take it at the hearing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bapas.audit import log_access
from bapas.models import AccessLog
from bapas.roles import capability_required
from bapas.scoping import get_scoped_or_404

from ..forms import AddRevocationForm, RevocationDecisionForm
from ..models import Meeting, MeetingKind
from ..selectors import can_decide_revocations
from ..services import hearing_add_revocation, hearing_remove_revocation
from .common import add_service_errors, managed_meeting, visible_meeting


def pending_proposals_for(user, meeting: Meeting):
    """Pending proposals of the meeting's office the user may see, not yet on this hearing."""
    from clients.models import RevocationProposal, SupervisionOrder

    return (
        RevocationProposal.objects.filter(
            status=RevocationProposal.Status.PENDING,
            order__in=SupervisionOrder.objects.for_user(user),
            order__client__office_id=meeting.office_id,
        )
        .exclude(hearings=meeting)
        .select_related("order__client")
        .order_by("proposed_at")
    )


def _tpp_meeting(meeting: Meeting) -> Meeting:
    if meeting.kind != MeetingKind.TPP:
        raise PermissionDenied
    return meeting


@login_required
@capability_required("meetings.manage")
@require_POST
def add_revocation(request, pk: int):
    meeting = _tpp_meeting(managed_meeting(request, pk))
    form = AddRevocationForm(request.POST, proposals=pending_proposals_for(request.user, meeting))
    if not form.is_valid():
        messages.error(request, _("Choose a pending revocation proposal."))
        return redirect(meeting)
    try:
        hearing_add_revocation(meeting=meeting, proposal=form.cleaned_data["proposal"],
                               by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The revocation proposal is on the hearing's agenda."))
    return redirect(meeting)


@login_required
@capability_required("meetings.manage")
@require_POST
def remove_revocation(request, pk: int, proposal_pk: int):
    meeting = _tpp_meeting(managed_meeting(request, pk))
    proposal = get_scoped_or_404(meeting.revocation_proposals.all(), pk=proposal_pk)
    if proposal.status != proposal.Status.PENDING:
        messages.error(request, _("A decided proposal stays on the record of its hearing."))
    else:
        hearing_remove_revocation(meeting=meeting, proposal=proposal, by=request.user)
        messages.success(request, _("The proposal has been taken off this hearing."))
    return redirect(meeting)


@login_required
@capability_required("clients.decide_revocation")
@never_cache
def decide_revocation(request, pk: int, proposal_pk: int):
    meeting = _tpp_meeting(visible_meeting(request, pk))
    if not can_decide_revocations(request.user, meeting):
        raise PermissionDenied
    proposal = get_scoped_or_404(
        meeting.revocation_proposals.select_related("order__client", "proposed_by"),
        pk=proposal_pk,
    )
    # Bound on every POST, even an empty one, so the errors below have a form to attach to.
    form = RevocationDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not meeting.has_started_day:
        form.is_valid()
        form.add_error(None, _("The decision can be recorded once the hearing has taken place."))
    elif request.method == "POST" and form.is_valid():
        try:
            # Imported here: the clients app owns the decision and may be deployed later.
            from clients.services.orders import revocation_decide
        except ImportError:
            form.add_error(None, _("Recording decisions is not available yet."))
        else:
            try:
                revocation_decide(
                    proposal=proposal, approve=form.cleaned_data["approve"],
                    reason=form.cleaned_data["reason"],
                    decree_number=form.cleaned_data["decree_number"] or None,
                    decree_date=form.cleaned_data["decree_date"], by=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The decision has been recorded."))
                return redirect(meeting)
    log_access(request, proposal.order.client, AccessLog.Action.VIEW,
               office_id=proposal.order.client.office_id)
    return render(request, "meetings/decide_revocation.html", {
        "meeting": meeting, "proposal": proposal, "form": form,
    })
