"""The officers' side of referrals: the office list, creating, the referral page and its actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bapas.audit import log_access
from bapas.models import MANAGER_ROLES, Role
from bapas.scoping import get_scoped_or_404
from clients.models import OrderStatus, SupervisionOrder

from .. import services
from ..forms import ReasonForm, ReferralFilterForm, ReferralForm, apply_errors
from ..models import OPEN_STATUSES, Referral, ReferralStatus, ServiceReport
from ..services import can_refer, referral_update_draft
from .common import PAGE_SIZE, action_buttons, officers_only, take_action

# The moves an officer makes from the referral page, with what the button says.
OFFICER_ACTIONS = {
    ReferralStatus.SENT: {
        "label": gettext_lazy("Send to the partner"), "icon": "send", "reason": False,
        "style": "btn-bapas",
    },
    ReferralStatus.WITHDRAWN: {
        "label": gettext_lazy("Withdraw the referral"), "icon": "x-circle", "reason": True,
        "style": "btn-outline-danger",
    },
    ReferralStatus.ENDED_EARLY: {
        "label": gettext_lazy("End the service early"), "icon": "stop-circle", "reason": True,
        "style": "btn-outline-warning",
    },
}


def referral_list_queryset(user, form: ReferralFilterForm | None = None):
    """The referrals list of the page and of its export: the user's referrals with the
    form's filters (when it is valid), newest first."""
    qs = (
        Referral.objects.for_user(user)
        .select_related("order__client", "order__assigned_pk", "partner", "service")
        .with_session_count()
    )
    if form is not None and form.is_valid():
        status = form.cleaned_data["status"]
        if status == "open":
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif status:
            qs = qs.filter(status=status)
        if form.cleaned_data["partner"]:
            qs = qs.filter(partner=form.cleaned_data["partner"])
    return qs.order_by("-created_at", "-pk")


@never_cache
@login_required
@officers_only("referrals.manage")
def referral_list(request):
    form = ReferralFilterForm(request.GET or None, user=request.user)
    page = Paginator(referral_list_queryset(request.user, form), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "partners/referrals.html", {"page": page, "form": form})


def referable_orders(user):
    """Active orders the user may refer: a PK's own caseload, a manager's whole office."""
    qs = SupervisionOrder.objects.for_user(user).filter(status=OrderStatus.ACTIVE)
    if user.role == Role.PK:
        qs = qs.filter(assigned_pk=user)
    elif user.role not in MANAGER_ROLES:
        return qs.none()
    return qs.select_related("client").order_by("client__full_name")


def _form_kwargs(form: ReferralForm) -> dict:
    data = form.cleaned_data
    return {
        "partner": data["partner"], "service": data["service"], "goals": data["goals"],
        "note_for_partner": data["note_for_partner"], "share_nik": data["share_nik"],
        "share_offence": data["share_offence"], "share_risk": data["share_risk"],
        "share_case_notes": data["share_case_notes"],
        "consent_given_at": data["consent_given_at"], "consent_method": data["consent_method"],
    }


def _sent_message(request, referral: Referral) -> None:
    if referral.status == ReferralStatus.SENT:
        messages.success(request, _("The referral has been sent to %(partner)s.")
                         % {"partner": referral.partner})
    else:
        messages.success(request, _("The referral has been saved as a draft."))


@never_cache
@login_required
@officers_only("referrals.manage")
def referral_create(request):
    user = request.user
    order_id = request.GET.get("order") or request.POST.get("order")
    if not order_id:
        # No order chosen yet: offer the user's own active orders.
        return render(request, "partners/referral_pick_order.html",
                      {"orders": referable_orders(user)})
    order = get_scoped_or_404(
        SupervisionOrder.objects.for_user(user).select_related("client", "assigned_pk"),
        pk=order_id,
    )
    if not can_refer(user, order):
        raise PermissionDenied
    initial = {}
    if request.GET.get("partner", "").isdigit():
        initial["partner"] = int(request.GET["partner"])
    form = ReferralForm(request.POST or None, initial=initial, office_id=order.client.office_id)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create(order=order, by=user,
                                       send=request.POST.get("action") == "send",
                                       **_form_kwargs(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            _sent_message(request, referral)
            return redirect("partners:referral_detail", pk=referral.pk)
    return render(request, "partners/referral_form.html",
                  {"form": form, "order": order, "client": order.client, "referral": None})


@never_cache
@login_required
@officers_only("referrals.manage")
def referral_edit(request, pk: int):
    referral = get_scoped_or_404(
        Referral.objects.for_user(request.user).select_related("order__client"), pk=pk
    )
    if not can_refer(request.user, referral.order):
        raise PermissionDenied
    if referral.status != ReferralStatus.DRAFT:
        messages.error(request, _("Only a draft referral can be edited."))
        return redirect("partners:referral_detail", pk=referral.pk)
    form = ReferralForm(request.POST or None, initial=ReferralForm.initial_from(referral),
                        office_id=referral.order.client.office_id)
    if request.method == "POST" and form.is_valid():
        try:
            referral_update_draft(referral=referral, by=request.user,
                                  send=request.POST.get("action") == "send",
                                  **_form_kwargs(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            _sent_message(request, referral)
            return redirect("partners:referral_detail", pk=referral.pk)
    return render(request, "partners/referral_form.html", {
        "form": form, "order": referral.order, "client": referral.order.client,
        "referral": referral,
    })


def referral_context(referral: Referral) -> dict:
    """Events, goals, sessions and report of a referral: what both sides' pages show."""
    try:
        report = referral.report
    except ServiceReport.DoesNotExist:
        report = None
    sessions = list(referral.sessions.select_related("logged_by").order_by("-date", "-pk"))
    return {
        "referral": referral,
        "events": list(referral.events.select_related("by").order_by("at", "pk")),
        "goals": list(referral.goals.all()),
        "sessions": sessions,
        "attended_minutes": sum(s.duration_minutes for s in sessions
                                if s.attendance == s.Attendance.ATTENDED),
        "report": report,
    }


def _officer_referral(request, pk: int) -> Referral:
    return get_scoped_or_404(
        Referral.objects.for_user(request.user).select_related(
            "order__client", "order__assigned_pk", "partner", "service", "created_by",
            "report__submitted_by",
        ),
        pk=pk,
    )


def _render_detail(request, referral: Referral, *, failed_action: str = "",
                   reason_form: ReasonForm | None = None, errors: list[str] | None = None,
                   status: int = 200):
    context = referral_context(referral)
    context.update({
        "client": referral.order.client,
        "order": referral.order,
        "actions": action_buttons(request.user, referral, OFFICER_ACTIONS,
                                  failed_action=failed_action, reason_form=reason_form),
        "failed_action": failed_action,
        "action_errors": errors or [],
        "can_edit": referral.status == ReferralStatus.DRAFT
        and can_refer(request.user, referral.order),
    })
    return render(request, "partners/referral_detail.html", context, status=status)


@never_cache
@login_required
@officers_only("referrals.manage")
def referral_detail(request, pk: int):
    referral = _officer_referral(request, pk)
    log_access(request, referral, office_id=referral.order.client.office_id,
               label=f"{referral.order.client.full_name} · {referral}")
    return _render_detail(request, referral)


@login_required
@officers_only("referrals.manage")
@require_POST
def referral_action(request, pk: int):
    referral = _officer_referral(request, pk)
    refused = take_action(request, referral, OFFICER_ACTIONS, _render_detail)
    if refused is not None:
        return refused
    return redirect("partners:referral_detail", pk=referral.pk)


urlpatterns = [
    path("referrals/", referral_list, name="referrals"),
    path("referrals/new/", referral_create, name="referral_create"),
    path("referrals/<int:pk>/", referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/edit/", referral_edit, name="referral_edit"),
    path("referrals/<int:pk>/action/", referral_action, name="referral_action"),
]
