"""Tell the other side of a referral about each status change (in-app, email, WhatsApp).

The officer who refers hears what the partner did; the partner's staff hear what the office
did. Nobody is told about their own change. Subjects name the referral number and the service,
never the client, because email and WhatsApp leave the system.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from bapas.models import Role, User
from bapas.notifications.services import notify

from .models import Referral, ReferralEvent, ReferralStatus

KIND = "partners.referral_status"
S = ReferralStatus
# Changes the partner's staff are told about; all other changes go to the referring PK.
TO_PARTNER = frozenset({S.SENT, S.WITHDRAWN})


def _recipients(referral: Referral, event: ReferralEvent) -> tuple[list[User], bool]:
    by_partner = event.by.role == Role.PARTNER
    if event.to_status in TO_PARTNER or (event.to_status == S.ENDED_EARLY and not by_partner):
        staff = User.objects.filter(partner_id=referral.partner_id, role=Role.PARTNER,
                                    is_active=True)
        return [u for u in staff if u.pk != event.by_id], True
    pk = referral.order.assigned_pk
    if pk is None or not pk.is_active or pk.pk == event.by_id:
        return [], False
    return [pk], False


def notify_transition(event_id: int) -> None:
    event = ReferralEvent.objects.select_related(
        "by", "referral__partner", "referral__service", "referral__order__assigned_pk"
    ).get(pk=event_id)
    referral = event.referral
    recipients, partner_side = _recipients(referral, event)
    if partner_side:
        # A withdrawn referral is gone from the portal: the link opens the list instead.
        link = (reverse("partners:portal") if event.to_status == S.WITHDRAWN
                else reverse("partners:portal_referral", args=[referral.pk]))
    else:
        link = reverse("partners:referral_detail", args=[referral.pk])
    status = event.to_status

    def subject() -> str:
        return _("Referral %(number)s (%(service)s): %(status)s") % {
            "number": referral.pk, "service": referral.service.name,
            "status": S(status).label,
        }

    def body() -> str:
        if partner_side:
            return _("The probation office changed the referral. Open it to see the details.")
        return _("%(partner)s changed the referral. Open it to see the details.") % {
            "partner": referral.partner.name
        }

    for recipient in recipients:
        notify(recipient=recipient, kind=KIND, obj=referral, subject=subject, body=body,
               link=link, dedupe=f"event-{event.pk}")
