"""Supervision orders: registering, editing, closing, warning letters and revocation.

Every change of an order's status goes through ``order_change_status``; an approved revocation
calls it too, so the status history has a single writer and is never overwritten.
Each function checks who may act (the views check first; this is the second lock), validates
with translated messages keyed by form field, saves inside one transaction and keeps history.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from bapas.models import MANAGER_ROLES, Role, User
from bapas.roles import can
from bapas.scoping import ALL, office_ids_for
from clients.models import (
    Client,
    Contact,
    OrderStatus,
    OrderStatusChange,
    Program,
    RevocationProposal,
    SupervisionOrder,
    WarningLetter,
)

# The fields of an order that a form may set; status and its date only change through
# order_change_status.
ORDER_FIELDS = [
    "program", "decree_number", "decree_date", "court_decision_number", "court_decision_date",
    "offence", "article", "offence_date", "sentence", "institution_type", "institution_name",
    "supervision_start", "supervision_end", "special_conditions", "risk_level", "assigned_pk",
]
CLOSED_STATUSES = [
    OrderStatus.COMPLETED, OrderStatus.REVOKED, OrderStatus.TRANSFERRED, OrderStatus.DECEASED,
]
CHILD_AGE = 18


# --- Who may do what -----------------------------------------------------------------------


def assignable_pks(office_id: int) -> QuerySet[User]:
    """Active PKs of an office: the only people an order can be assigned to."""
    return User.objects.filter(role=Role.PK, office_id=office_id, is_active=True).order_by(
        "full_name"
    )


def clients_for_new_order(user) -> QuerySet[Client]:
    """Clients the user may add an order to.

    Operators and managers: their office's clients. A PK: clients on their own caseload, and a
    client they registered themselves who has no order yet (otherwise a PK who registers a new
    client could never give them their first order).
    """
    editable = Client.objects.editable_by(user)
    if user.role != Role.PK:
        return editable
    has_order = Exists(SupervisionOrder.objects.filter(client=OuterRef("pk")))
    return Client.objects.filter(
        Q(pk__in=editable.values("pk"))
        | Q(office_id=user.office_id, created_by=user) & ~has_order
    )


def _in_office(user, order: SupervisionOrder) -> bool:
    office_ids = office_ids_for(user)
    return office_ids is ALL or order.client.office_id in office_ids


def _is_manager(user) -> bool:
    return user.role in MANAGER_ROLES


def can_edit_order(user, order: SupervisionOrder) -> bool:
    """Operators and managers edit their office's orders; a PK edits orders assigned to them.

    A closed order is a record of what happened: only a supervisor or the head corrects it.
    """
    if not can(user, "clients.register") or not _in_office(user, order):
        return False
    if not order.is_active and not _is_manager(user):
        return False
    return user.role != Role.PK or order.assigned_pk_id == user.pk


def can_work_on_order(user, order: SupervisionOrder) -> bool:
    """Case work on an order (status, warnings, revocation proposals): its PK or a manager.

    A covering PK reads the case but does not act on it.
    """
    if not can(user, "clients.casework") or not _in_office(user, order):
        return False
    return user.role != Role.PK or order.assigned_pk_id == user.pk


def can_decide_revocation(user, order: SupervisionOrder) -> bool:
    return can(user, "clients.decide_revocation") and _in_office(user, order)


def status_choices_for(user) -> list[tuple[str, str]]:
    """The statuses the user may close an order with: revocation is a manager's decision."""
    allowed = [
        s for s in CLOSED_STATUSES
        if s != OrderStatus.REVOKED or can(user, "clients.decide_revocation")
    ]
    return [(s.value, s.label) for s in allowed]


# --- Orders ------------------------------------------------------------------------------


def _short(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _validate_order(order: SupervisionOrder, *, by, previous_pk_id: int | None = None) -> None:
    """Field rules of an order, raised together so the form shows each next to its field."""
    errors: dict[str, list[str]] = {}
    try:
        order.full_clean(exclude=["client", "created_by", "cover_pk"], validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    today = timezone.localdate()
    start, end = order.supervision_start, order.supervision_end
    if start and end and end < start:
        add("supervision_end", _("The supervision end cannot be before its start (%(start)s).")
            % {"start": _short(start)})
    if not (order.decree_number or "").strip() and not (order.court_decision_number or "").strip():
        add("decree_number", _("Enter the decree (SK) number or the court decision number: "
                               "an order needs its legal basis."))
    for field, label in [("decree_date", _("The decree date")),
                         ("court_decision_date", _("The court decision date")),
                         ("offence_date", _("The offence date"))]:
        value = getattr(order, field)
        if value and value > today:
            add(field, _("%(what)s cannot be in the future.") % {"what": label})
    offence = order.offence_date
    if offence and offence < order.client.birth_date:
        add("offence_date", _("The offence date is before the client's date of birth (%(born)s).")
            % {"born": _short(order.client.birth_date)})
    if offence and start and offence > start:
        add("offence_date", _("The offence must have happened before supervision started."))
    pk = order.assigned_pk
    changed = order.assigned_pk_id != previous_pk_id
    if pk is not None and changed and (
        pk.role != Role.PK or not pk.is_active or pk.office_id != order.client.office_id
    ):
        add("assigned_pk", _("Choose an active PK of the client's office."))
    if not can(by, "clients.assign"):
        # Reassigning a case is the supervisor's call. A PK records orders for themselves; an
        # operator may name the PK of a new or still unassigned order.
        reassigning = (
            order.assigned_pk_id != by.pk if by.role == Role.PK
            else bool(previous_pk_id) and changed
        )
        if reassigning:
            add("assigned_pk", _("Only a supervisor assigns a client to another PK."))
    if errors:
        raise ValidationError(errors)


def _apply_child_section(order: SupervisionOrder, *, by) -> None:
    """A client who offended under 18 (or is under a Diversi measure) is a child client.

    Never turned back to adult automatically: an earlier order may have made them a child.
    """
    client = order.client
    if client.is_child:
        return
    offended_as_child = (
        order.offence_date is not None and client.age_on(order.offence_date) < CHILD_AGE
    )
    if order.program == Program.DIVERSION or offended_as_child:
        client.section = Client.Section.CHILD
        client._history_user = by
        client.save(update_fields=["section", "search_name"])


def order_create(*, client: Client, data: dict[str, Any], by) -> SupervisionOrder:
    """Register an order from its decree or court decision. It starts as 'aktif'."""
    if not can(by, "clients.register") or not clients_for_new_order(by).filter(
        pk=client.pk
    ).exists():
        raise PermissionDenied
    order = SupervisionOrder(client=client, created_by=by, status=OrderStatus.ACTIVE)
    for field in ORDER_FIELDS:
        if field in data:
            setattr(order, field, data[field])
    if by.role == Role.PK and "assigned_pk" not in data:
        order.assigned_pk = by
    _validate_order(order, by=by)
    with transaction.atomic():
        order._history_user = by
        order.save()
        _apply_child_section(order, by=by)
    return order


def order_update(*, order: SupervisionOrder, data: dict[str, Any], by) -> SupervisionOrder:
    """Correct an order's details. Its status is not touched here."""
    with transaction.atomic():
        locked = SupervisionOrder.objects.select_for_update().select_related("client").get(
            pk=order.pk
        )
        if not can_edit_order(by, locked):
            raise PermissionDenied
        previous_pk_id = locked.assigned_pk_id
        for field in ORDER_FIELDS:
            if field in data:
                setattr(locked, field, data[field])
        _validate_order(locked, by=by, previous_pk_id=previous_pk_id)
        locked._history_user = by
        locked.save()
        _apply_child_section(locked, by=by)
    return locked


# --- Status ------------------------------------------------------------------------------


def _cancel_open_contacts_after(order: SupervisionOrder, day: date, *, status_label, by) -> int:
    """Planned contacts after the order closed will not happen: cancel them, with history."""
    contacts = list(
        Contact.objects.filter(order=order, planned_at__date__gt=day).planned()
    )
    now = timezone.now()
    reason = _("Order closed: %(status)s") % {"status": status_label}
    for contact in contacts:
        contact.cancelled_at = now
        contact.cancel_reason = reason[:255]
    if contacts:
        bulk_update_with_history(
            contacts, Contact, ["cancelled_at", "cancel_reason"], default_user=by
        )
    return len(contacts)


def _withdraw_pending_revocations(order: SupervisionOrder, *, status_label, by) -> None:
    """A proposal cannot be decided once the order has closed another way."""
    for proposal in RevocationProposal.objects.select_for_update().filter(
        order=order, status=RevocationProposal.Status.PENDING
    ):
        proposal.status = RevocationProposal.Status.WITHDRAWN
        proposal.decided_by = by
        proposal.decided_at = timezone.now()
        proposal.decision_reason = _(
            "Withdrawn because the order was closed: %(status)s"
        ) % {"status": status_label}
        proposal._history_user = by
        proposal.save()


def order_change_status(
    *,
    order: SupervisionOrder,
    to_status: str,
    reason: str,
    effective_date: date | None,
    reference: str = "",
    by,
) -> OrderStatusChange:
    """Close an active order: completed, revoked, transferred or deceased.

    Writes an OrderStatusChange row (never updated), updates the order with history, cancels
    contacts planned after the effective date and withdraws a pending revocation proposal.
    """
    with transaction.atomic():
        locked = SupervisionOrder.objects.select_for_update().select_related("client").get(
            pk=order.pk
        )
        if not can_work_on_order(by, locked):
            raise PermissionDenied
        if to_status == OrderStatus.REVOKED and not can(by, "clients.decide_revocation"):
            raise PermissionDenied
        if not locked.is_active:
            raise ValidationError(
                _("This order is already closed (%(status)s); its status cannot change again.")
                % {"status": locked.get_status_display()}
            )
        errors: dict[str, str] = {}
        if to_status not in CLOSED_STATUSES:
            errors["to_status"] = _("Choose a valid new status.")
        reason = (reason or "").strip()
        if not reason:
            errors["reason"] = _("Give the reason for the change.")
        today = timezone.localdate()
        if effective_date is None:
            errors["effective_date"] = _("Enter the date the change takes effect.")
        elif effective_date > today:
            errors["effective_date"] = _("The effective date cannot be in the future.")
        elif effective_date < locked.supervision_start:
            errors["effective_date"] = _(
                "The effective date cannot be before the supervision start (%(start)s)."
            ) % {"start": _short(locked.supervision_start)}
        if errors:
            raise ValidationError(errors)

        change = OrderStatusChange.objects.create(
            order=locked,
            from_status=locked.status,
            to_status=to_status,
            effective_date=effective_date,
            reason=reason,
            reference=(reference or "").strip(),
            changed_by=by,
        )
        locked.status = to_status
        locked.status_changed_at = effective_date
        locked._history_user = by
        locked.save(update_fields=["status", "status_changed_at"])
        label = OrderStatus(to_status).label
        _cancel_open_contacts_after(locked, effective_date, status_label=label, by=by)
        _withdraw_pending_revocations(locked, status_label=label, by=by)
    order.status, order.status_changed_at = locked.status, locked.status_changed_at
    return change


# --- Warning letters ---------------------------------------------------------------------


def next_warning_level(order: SupervisionOrder) -> str:
    """SP1 first, then the level after the highest one issued, at most SP3."""
    levels = [value for value, _label in WarningLetter.Level.choices]
    issued = set(order.warnings.values_list("level", flat=True))
    highest = max((levels.index(level) for level in issued if level in levels), default=-1)
    return levels[min(highest + 1, len(levels) - 1)]


def warning_issue(
    *, order: SupervisionOrder, level: str, number: str, issued_on: date | None, reason: str, by
) -> WarningLetter:
    """Record a warning letter (SP1-SP3) given to the client of an active order."""
    if not can_work_on_order(by, order):
        raise PermissionDenied
    if not order.is_active:
        raise ValidationError(_("Warnings can only be issued on an active order."))
    errors: dict[str, str] = {}
    if level not in WarningLetter.Level.values:
        errors["level"] = _("Choose SP1, SP2 or SP3.")
    number = (number or "").strip()
    if not number:
        errors["number"] = _("Enter the letter number.")
    if issued_on is None:
        errors["issued_on"] = _("Enter the date of the letter.")
    elif issued_on > timezone.localdate():
        errors["issued_on"] = _("The date of the letter cannot be in the future.")
    elif issued_on < order.supervision_start:
        errors["issued_on"] = _(
            "The letter cannot be dated before the supervision start (%(start)s)."
        ) % {"start": _short(order.supervision_start)}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the reason for the warning.")
    if errors:
        raise ValidationError(errors)
    letter = WarningLetter(
        order=order, level=level, number=number, issued_on=issued_on, reason=reason,
        issued_by=by,
    )
    letter._history_user = by
    with transaction.atomic():
        letter.save()
    return letter


# --- Revocation --------------------------------------------------------------------------


def _pending_message(pending: RevocationProposal) -> str:
    return _(
        "This order already has a revocation proposal awaiting a decision (proposed on "
        "%(date)s by %(name)s). It must be decided before another one can be made."
    ) % {
        "date": _short(timezone.localdate(pending.proposed_at)),
        "name": pending.proposed_by.full_name,
    }


def revocation_propose(*, order: SupervisionOrder, reasons: str, by) -> RevocationProposal:
    """The PK (or a manager) proposes to revoke an active order; one pending at a time."""
    if not can_work_on_order(by, order):
        raise PermissionDenied
    if not order.is_active:
        raise ValidationError(_("Only an active order can be proposed for revocation."))
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": _("Give the reasons for the proposal.")})
    pending = (
        RevocationProposal.objects.select_related("proposed_by")
        .filter(order=order, status=RevocationProposal.Status.PENDING)
        .first()
    )
    if pending:
        raise ValidationError(_pending_message(pending))
    proposal = RevocationProposal(order=order, reasons=reasons, proposed_by=by)
    proposal._history_user = by
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError:
        # Two people proposed at the same moment; the database kept the first.
        pending = RevocationProposal.objects.select_related("proposed_by").get(
            order=order, status=RevocationProposal.Status.PENDING
        )
        raise ValidationError(_pending_message(pending)) from None
    return proposal


def revocation_decide(
    *,
    proposal: RevocationProposal,
    approve: bool,
    reason: str,
    decree_number: str | None = None,
    decree_date: date | None = None,
    by,
) -> RevocationProposal:
    """A supervisor or the head approves (the order becomes 'dicabut') or rejects a proposal."""
    order = proposal.order
    if not can_decide_revocation(by, order):
        raise PermissionDenied
    with transaction.atomic():
        locked = RevocationProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status != RevocationProposal.Status.PENDING:
            raise ValidationError(
                _("This proposal has already been decided (%(status)s).")
                % {"status": locked.get_status_display()}
            )
        errors: dict[str, str] = {}
        reason = (reason or "").strip()
        if not reason:
            errors["reason"] = _("Give the grounds for the decision.")
        decree_number = (decree_number or "").strip()
        if approve:
            if not decree_number:
                errors["decree_number"] = _("Enter the number of the revocation decree.")
            if decree_date is None:
                errors["decree_date"] = _("Enter the date of the revocation decree.")
            elif decree_date > timezone.localdate():
                errors["decree_date"] = _("The decree date cannot be in the future.")
        if errors:
            raise ValidationError(errors)

        locked.status = (
            RevocationProposal.Status.APPROVED if approve else RevocationProposal.Status.REJECTED
        )
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.decree_number = decree_number if approve else ""
        locked.decree_date = decree_date if approve else None
        locked._history_user = by
        locked.save()
        if approve:
            try:
                order_change_status(
                    order=order, to_status=OrderStatus.REVOKED, reason=reason,
                    effective_date=decree_date, reference=decree_number, by=by,
                )
            except ValidationError as exc:
                # The status change checks the date against the order; show it on the decree.
                if hasattr(exc, "error_dict") and "effective_date" in exc.error_dict:
                    raise ValidationError(
                        {"decree_date": exc.error_dict["effective_date"]}
                    ) from None
                raise
    proposal.refresh_from_db()
    return proposal
