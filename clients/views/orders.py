"""Supervision orders: register and edit, the order page, closing, warnings and revocation.

Objects are fetched only through ``for_user`` querysets (another office's or an unassigned
order is a 404); what a visible user may *do* with an order is asked of the services module,
and a refusal there is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from bapas.audit import log_access
from bapas.models import AccessLog, Role
from bapas.roles import can, capability_required, refusal
from bapas.scoping import get_scoped_or_404
from clients.forms.orders import (
    PRESELECTABLE_STATUSES,
    OrderForm,
    RevocationDecisionForm,
    RevocationProposalForm,
    StatusChangeForm,
    WarningForm,
)
from clients.models import (
    OrderStatusChange,
    RevocationProposal,
    SupervisionOrder,
    WarningLetter,
)
from clients.selectors import consecutive_missed
from clients.services import orders as services

PAGE_SIZE = 25
MISSED_ALERT = 3  # failing wajib lapor three times in a row is a breach (domain.md)


def _scoped_order(request, client_pk: int, order_pk: int) -> SupervisionOrder:
    qs = SupervisionOrder.objects.for_user(request.user).select_related(
        "client", "client__office", "assigned_pk", "cover_pk", "created_by"
    )
    return get_scoped_or_404(qs, pk=order_pk, client_id=client_pk)


def _form_errors_from(form, exc: ValidationError) -> None:
    """Put a service's errors next to the form's fields (others at the top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _log(request, order: SupervisionOrder, label: str = "") -> None:
    log_access(request, order, AccessLog.Action.VIEW, office_id=order.client.office_id,
               label=label)


# --- Register and edit ---------------------------------------------------------------------


@never_cache
@login_required
@capability_required("clients.register")
def order_create(request, client_pk: int):
    client = get_scoped_or_404(
        services.clients_for_new_order(request.user).select_related("office"), pk=client_pk
    )
    initial = {}
    previous = client.orders.exclude(assigned_pk=None).order_by("-supervision_start").first()
    if previous and request.user.role != Role.PK:
        initial["assigned_pk"] = previous.assigned_pk_id  # continuity with the last order
    form = OrderForm(request.POST or None, client=client, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_create(client=client, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("The supervision order has been registered."))
            if order.client.is_child:
                messages.info(request, _("The client is now handled as a child client."))
            return redirect(order)
    active = client.orders.filter(status="aktif").count()
    return render(request, "clients/orders/form.html", {
        "form": form, "client": client, "order": None, "active_orders": active,
    })


@never_cache
@login_required
@capability_required("clients.register")
def order_edit(request, client_pk: int, order_pk: int):
    order = _scoped_order(request, client_pk, order_pk)
    if not services.can_edit_order(request.user, order):
        raise PermissionDenied
    form = OrderForm(request.POST or None, instance=SupervisionOrder.objects.get(pk=order.pk),
                     client=order.client, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_update(order=order, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("The supervision order has been saved."))
            return redirect(order)
    elif request.method == "GET":
        _log(request, order)
    return render(request, "clients/orders/form.html", {
        "form": form, "client": order.client, "order": order, "active_orders": 0,
    })


# --- The order page ------------------------------------------------------------------------


@never_cache
@login_required
@capability_required("clients.view")
def order_detail(request, client_pk: int, order_pk: int):
    order = _scoped_order(request, client_pk, order_pk)
    user = request.user
    _log(request, order)
    status_changes = OrderStatusChange.objects.filter(order=order).select_related("changed_by")
    warnings = WarningLetter.objects.filter(order=order).select_related("issued_by")
    proposals = RevocationProposal.objects.filter(order=order).select_related(
        "proposed_by", "decided_by"
    )
    missed = consecutive_missed([order.pk]).get(order.pk, 0)
    may_work = services.can_work_on_order(user, order)
    return render(request, "clients/orders/detail.html", {
        "order": order,
        "client": order.client,
        "status_changes": status_changes,
        "warnings": warnings,
        "proposals": proposals,
        "pending": next((p for p in proposals if p.status == "pending"), None),
        "missed": missed,
        "missed_alert": missed >= MISSED_ALERT,
        "days_overdue": -order.days_left,
        "may_edit": services.can_edit_order(user, order),
        "may_work": may_work and order.is_active,
        "may_decide": services.can_decide_revocation(user, order),
    })


# --- Status --------------------------------------------------------------------------------


@never_cache
@login_required
@capability_required("clients.casework")
def order_status(request, client_pk: int, order_pk: int):
    order = _scoped_order(request, client_pk, order_pk)
    if not services.can_work_on_order(request.user, order):
        raise PermissionDenied
    if not order.is_active:
        messages.warning(request, _(
            "This order is already closed (%(status)s); its status cannot change again."
        ) % {"status": order.get_status_display()})
        return redirect(order)
    preselect = request.GET.get("to")
    initial = {"to_status": preselect} if preselect in PRESELECTABLE_STATUSES else {}
    form = StatusChangeForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.order_change_status(
                order=order, to_status=data["to_status"], reason=data["reason"],
                effective_date=data["effective_date"], reference=data["reference"],
                by=request.user,
            )
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("The order's status is now: %(status)s.")
                             % {"status": order.get_status_display()})
            return redirect(order)
    return render(request, "clients/orders/status_form.html", {
        "form": form, "order": order, "client": order.client,
    })


# --- Warning letters -----------------------------------------------------------------------


@never_cache
@login_required
@capability_required("clients.casework")
def warning_add(request, client_pk: int, order_pk: int):
    order = _scoped_order(request, client_pk, order_pk)
    if not services.can_work_on_order(request.user, order):
        raise PermissionDenied
    suggested = services.next_warning_level(order)
    form = WarningForm(request.POST or None, suggested_level=suggested)
    if request.method == "POST" and form.is_valid():
        try:
            letter = services.warning_issue(order=order, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("%(letter)s has been recorded.") % {"letter": letter})
            return redirect(order)
    previous = WarningLetter.objects.filter(order=order).select_related("issued_by")
    return render(request, "clients/orders/warning_form.html", {
        "form": form, "order": order, "client": order.client, "previous": previous,
        "missed": consecutive_missed([order.pk]).get(order.pk, 0),
    })


# --- Revocation ----------------------------------------------------------------------------


@never_cache
@login_required
@capability_required("clients.casework")
def revocation_propose(request, client_pk: int, order_pk: int):
    order = _scoped_order(request, client_pk, order_pk)
    if not services.can_work_on_order(request.user, order):
        raise PermissionDenied
    form = RevocationProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.revocation_propose(
                order=order, reasons=form.cleaned_data["reasons"], by=request.user
            )
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("The revocation proposal has been sent for a decision."))
            return redirect(order)
    pending = (
        RevocationProposal.objects.filter(order=order, status="pending")
        .select_related("proposed_by").first()
    )
    return render(request, "clients/orders/revocation_propose.html", {
        "form": form, "order": order, "client": order.client, "pending": pending,
        "missed": consecutive_missed([order.pk]).get(order.pk, 0),
        "warnings": WarningLetter.objects.filter(order=order),
    })


def _proposals_for(user):
    return RevocationProposal.objects.filter(
        order__in=SupervisionOrder.objects.for_user(user)
    ).select_related(
        "order", "order__client", "order__assigned_pk", "proposed_by", "decided_by"
    )


@never_cache
@login_required
def revocation_decide(request, proposal_pk: int):
    # The proposal first: a user who does not see its order (another office) gets a 404, as for
    # every other client URL; one who sees it but may not decide gets the role's refusal.
    proposal = get_scoped_or_404(_proposals_for(request.user), pk=proposal_pk)
    if not can(request.user, "clients.decide_revocation"):
        raise refusal(request.user)
    order = proposal.order
    if proposal.status != RevocationProposal.Status.PENDING:
        messages.info(request, _("This proposal has already been decided."))
        return redirect(order)
    form = RevocationDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.revocation_decide(
                proposal=proposal, approve=form.approve, reason=data["reason"],
                decree_number=data["decree_number"], decree_date=data["decree_date"],
                by=request.user,
            )
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            if form.approve:
                messages.success(request, _("Revocation approved: the order is now revoked."))
            else:
                messages.success(request, _("The revocation proposal has been rejected."))
            return redirect(order)
    elif request.method == "GET":
        _log(request, order, label=str(proposal))
    return render(request, "clients/orders/revocation_decide.html", {
        "form": form, "proposal": proposal, "order": order, "client": order.client,
        "missed": consecutive_missed([order.pk]).get(order.pk, 0),
        "warnings": WarningLetter.objects.filter(order=order),
    })


REVOCATION_TABS = {
    "pending": {"status": RevocationProposal.Status.PENDING},
    "decided": {"status__in": [RevocationProposal.Status.APPROVED,
                               RevocationProposal.Status.REJECTED,
                               RevocationProposal.Status.WITHDRAWN]},
}


@never_cache
@login_required
@capability_required("clients.casework")
def revocation_list(request):
    tab = request.GET.get("tab", "pending")
    if tab not in REVOCATION_TABS:
        tab = "pending"
    qs = _proposals_for(request.user).filter(**REVOCATION_TABS[tab])
    # Pending: the longest-waiting first. Decided: the latest decisions first.
    qs = qs.order_by("proposed_at", "pk") if tab == "pending" else qs.order_by("-decided_at", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    missed = consecutive_missed([p.order_id for p in page])
    rows = [(p, missed.get(p.order_id, 0)) for p in page]
    return render(request, "clients/orders/revocations.html", {
        "page": page, "rows": rows, "tab": tab, "missed_alert": MISSED_ALERT,
        "may_decide": can(request.user, "clients.decide_revocation"),
    })


# --- Orders to close ---------------------------------------------------------------------


@never_cache
@login_required
@capability_required("clients.casework")
def orders_to_close(request):
    user = request.user
    qs = SupervisionOrder.objects.for_user(user).overdue_for_closing()
    pk_filter = None
    pks = None
    if user.role == Role.PK:
        qs = qs.filter(assigned_pk=user)  # a cover PK cannot close a colleague's order
    else:
        pks = list(services.assignable_pks(user.office_id)) if user.office_id else []
        try:
            pk_filter = int(request.GET.get("officer", ""))
        except ValueError:
            pk_filter = None
        if pk_filter:
            qs = qs.filter(assigned_pk_id=pk_filter)
    qs = qs.select_related("client", "assigned_pk").prefetch_related(
        Prefetch("revocations", queryset=RevocationProposal.objects.filter(status="pending"),
                 to_attr="pending_revocations")
    ).order_by("supervision_end", "pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for order in page:
        order.days_overdue = -order.days_left
    return render(request, "clients/orders/to_close.html", {
        "page": page, "pks": pks, "pk_filter": pk_filter,
    })


urlpatterns = [
    path("<int:client_pk>/orders/new/", order_create, name="order_create"),
    path("<int:client_pk>/orders/<int:order_pk>/", order_detail, name="order_detail"),
    path("<int:client_pk>/orders/<int:order_pk>/edit/", order_edit, name="order_edit"),
    path("<int:client_pk>/orders/<int:order_pk>/status/", order_status, name="order_status"),
    path("<int:client_pk>/orders/<int:order_pk>/warnings/new/", warning_add, name="warning_add"),
    path("<int:client_pk>/orders/<int:order_pk>/revocation/", revocation_propose,
         name="revocation_propose"),
    path("revocations/", revocation_list, name="revocations"),
    path("revocations/<int:proposal_pk>/decide/", revocation_decide, name="revocation_decide"),
    path("orders/to-close/", orders_to_close, name="orders_to_close"),
]
