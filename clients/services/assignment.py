"""Assigning supervision orders to PKs, one at a time or in bulk."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_update_with_history

from bapas.models import Role, User
from bapas.notifications.engine import ensure, preferences_for, user_drafts
from bapas.notifications.models import Channel
from bapas.roles import can
from bapas.scoping import ALL, office_ids_for

from ..models import OrderStatus, SupervisionOrder


class _Keep:
    """Sentinel: leave the covering PK as it is."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()
KIND_ASSIGNED = "clients.orders_assigned"


def _check_officer(officer: User, office_id: int, field: str) -> None:
    if officer.role != Role.PK or not officer.is_active:
        raise ValidationError({field: _("%(name)s is not an active PK.") % {"name": officer}})
    if officer.office_id != office_id:
        raise ValidationError(
            {field: _("%(name)s works in another office; choose a PK of the client's office.")
             % {"name": officer.full_name}}
        )


def orders_assign(
    *,
    orders: Iterable[SupervisionOrder],
    to_pk: User | None,
    by: User,
    reason: str = "",
    cover_pk: User | _Keep | None = KEEP,
) -> list[SupervisionOrder]:
    """Make ``to_pk`` the PK of each active order; return the orders that changed.

    ``cover_pk`` (a PK who may read the case, e.g. during leave) is left alone unless given;
    ``None`` removes it. A cover equal to the new PK is dropped. Each changed order gets a
    history row naming ``by`` and ``reason``.
    """
    if not can(by, "clients.assign"):
        raise PermissionDenied
    if to_pk is None:
        raise ValidationError({"to_pk": _("Choose the PK who takes over.")})
    orders = list(orders)
    if not orders:
        raise ValidationError({"orders": _("Select at least one order.")})
    if cover_pk is not None and cover_pk is not KEEP and cover_pk.pk == to_pk.pk:
        raise ValidationError(
            {"cover_pk": _("The covering PK must be someone other than the assigned PK.")}
        )
    allowed_offices = office_ids_for(by)
    with transaction.atomic():
        locked = list(
            SupervisionOrder.objects.select_for_update()
            .select_related("client")
            .filter(pk__in=[order.pk for order in orders])
            .order_by("pk")
        )
        changed = []
        previous_pk = {order.pk: order.assigned_pk_id for order in locked}
        for order in locked:
            office_id = order.client.office_id
            if allowed_offices is not ALL and office_id not in allowed_offices:
                raise PermissionDenied
            if order.status != OrderStatus.ACTIVE:
                raise ValidationError(
                    {"orders": _("%(order)s is no longer active; only active orders are "
                                 "reassigned.") % {"order": order}}
                )
            _check_officer(to_pk, office_id, "to_pk")
            new_cover = order.cover_pk_id if cover_pk is KEEP else getattr(cover_pk, "pk", None)
            if cover_pk not in (None, KEEP):
                _check_officer(cover_pk, office_id, "cover_pk")
            if new_cover == to_pk.pk:
                new_cover = None  # the new PK no longer needs read-only cover
            if order.assigned_pk_id == to_pk.pk and order.cover_pk_id == new_cover:
                continue
            order.assigned_pk_id = to_pk.pk
            order.cover_pk_id = new_cover
            order._history_user = by
            order._change_reason = reason or _("Assigned to %(name)s") % {"name": to_pk.full_name}
            changed.append(order)
        if changed:
            bulk_update_with_history(
                changed, SupervisionOrder, ["assigned_pk", "cover_pk"], default_user=by,
            )
            gained = [order for order in changed if previous_pk[order.pk] != to_pk.pk]
            if gained:
                transaction.on_commit(lambda: _notify_new_pk(gained, to_pk, by))
    return changed


def _notify_new_pk(orders: list[SupervisionOrder], to_pk: User, by: User) -> None:
    """Tell the PK who takes over. In the app the client is named; outside it only counted."""
    now = timezone.now()
    preference = preferences_for([to_pk])[to_pk.pk]
    count = len(orders)
    about = orders[0] if count == 1 else None
    link = reverse("clients:caseload")

    def render(names: bool) -> tuple[str, str]:
        if names and count == 1:
            subject = _("%(by)s assigned %(client)s to you") % {
                "by": by.full_name, "client": orders[0].client.full_name}
        else:
            subject = ngettext(
                "%(by)s assigned %(count)d client to you",
                "%(by)s assigned %(count)d clients to you", count,
            ) % {"by": by.full_name, "count": count}
        body = "\n".join(o.client.register_number for o in orders) if names else ""
        return subject, body

    drafts = []
    for channels, names in (((Channel.IN_APP,), True), ((Channel.EMAIL,), False)):
        drafts += user_drafts(
            user=to_pk, preference=preference, kind=KIND_ASSIGNED, due_at=now, about=about,
            channels=channels, link=link, render=lambda n=names: render(n),
            dedupe=f"{by.pk}-{orders[0].pk}-{count}-{now.timestamp():.0f}",
        )
    ensure(drafts, now=now)
