"""The partner portal: partner staff see and work on their organisation's referrals, nothing else.

Every page fetches through ``Referral.objects.for_partner(user)``: another partner's referral, a
draft or a withdrawn one answers 404. The client card is built field by field in
``partner_card``, so a template cannot show what the PK did not share.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bapas.audit import log_access
from bapas.models import AccessLog
from bapas.scoping import get_scoped_or_404
from clients.models import CaseNote
from clients.timeline_sources import choice_labels, short_date_maker, url_maker

from ..forms import ReasonForm, ReportForm, SessionForm, apply_errors
from ..models import PARTNER_CARD_STATUSES, PORTAL_TABS, Referral, ReferralStatus
from ..services import report_submit, session_log
from .common import PAGE_SIZE, action_buttons, partner_staff_only, stream_file, take_action
from .referrals import referral_context

TAB_LABELS = {
    "new": gettext_lazy("New"),
    "active": gettext_lazy("Active"),
    "closed": gettext_lazy("Closed"),
}
PARTNER_ACTIONS = {
    ReferralStatus.ACCEPTED: {
        "label": gettext_lazy("Accept"), "icon": "hand-thumbs-up", "reason": False,
        "style": "btn-success",
    },
    ReferralStatus.DECLINED: {
        "label": gettext_lazy("Decline"), "icon": "hand-thumbs-down", "reason": True,
        "style": "btn-outline-danger",
    },
    ReferralStatus.IN_PROGRESS: {
        "label": gettext_lazy("Start the service"), "icon": "play-circle", "reason": False,
        "style": "btn-outline-primary",
    },
    ReferralStatus.ENDED_EARLY: {
        "label": gettext_lazy("End the service early"), "icon": "stop-circle", "reason": True,
        "style": "btn-outline-warning",
    },
}
CASE_NOTES_SHOWN = 20
# What a row of the portal's list shows: the query compiles, sends and builds only these.
LIST_COLUMNS = ("status", "sent_at", "order__client__full_name", "order__client__office__name",
                "order__assigned_pk__full_name", "service__name")


def partner_card(referral: Referral) -> dict:
    """Only what the referral needs: the basic card while the service runs, plus what was shared.

    Once the referral is closed the partner keeps the client's name (for its own records of the
    service given) but no longer their contact details, photo or shared data.
    """
    order = referral.order
    client = order.client
    card: dict = {"name": client.full_name, "open": referral.partner_sees_card}
    if not referral.partner_sees_card:
        return card
    card.update({
        "sex": client.get_sex_display(),
        "age": client.age,
        "is_child": client.is_child,
        "phone": client.phone,
        "whatsapp": client.whatsapp,
        "address": client.address_display,
        "has_photo": bool(client.photo),
    })
    if referral.share_nik:
        card["nik"] = client.nik or ""
    if referral.share_offence:
        card["offence"] = order.offence
        card["article"] = order.article
    if referral.share_risk:
        card["risk"] = order.get_risk_level_display()
    if referral.share_case_notes:
        card["case_notes"] = [
            {"date": note.created_at, "text": note.text}
            for note in CaseNote.objects.filter(client=client, confidential=False)
            .order_by("-created_at")[:CASE_NOTES_SHOWN]
        ]
    return card


def _officer_contact(referral: Referral) -> dict:
    pk = referral.order.assigned_pk
    office = referral.order.client.office
    return {
        "name": pk.full_name if pk else "",
        "phone": pk.phone if pk else "",
        "email": pk.email if pk else "",
        "office": office.name,
        "office_phone": office.phone,
    }


def _portal_queryset(user):
    return Referral.objects.for_partner(user).select_related(
        "order__client__office", "order__client__village", "order__client__district",
        "order__client__regency", "order__client__province", "order__assigned_pk", "service",
        "partner",
    )


@never_cache
@login_required
@partner_staff_only
def portal(request):
    tab = request.GET.get("tab", "new")
    if tab not in PORTAL_TABS:
        tab = "new"
    base = Referral.objects.for_partner(request.user)
    counts = dict(base.order_by().values_list("status").annotate(n=Count("pk")))
    tabs = [
        {"key": key, "label": TAB_LABELS[key], "count": sum(counts.get(s, 0) for s in statuses),
         "active": key == tab}
        for key, statuses in PORTAL_TABS.items()
    ]
    qs = (
        base.filter(status__in=PORTAL_TABS[tab])
        .select_related("order__client", "order__assigned_pk", "order__client__office",
                        "service")
        .only(*LIST_COLUMNS)
        .with_session_count()
        .order_by("-sent_at", "-pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _list_rows(page.object_list)
    return render(request, "partners/portal.html",
                  {"page": page, "tabs": tabs, "tab": tab, "partner": request.user.partner})


def _list_rows(referrals) -> list[Referral]:
    """The page's referrals with what their row would compute per row with tags and filters
    (the link, the date, the status label) worked out once: the same HTML, less CPU."""
    url = url_maker("partners:portal_referral")
    statuses = choice_labels(ReferralStatus)
    short_date = short_date_maker()
    rows = list(referrals)
    for row in rows:
        row.url = url(row.pk)
        row.status_label = statuses.get(row.status, row.status)
        row.sent_text = short_date(row.sent_at)
    return rows


def _render_referral(request, referral: Referral, *, failed_action: str = "",
                     reason_form: ReasonForm | None = None, errors: list[str] | None = None):
    context = referral_context(referral)
    context.update({
        "card": partner_card(referral),
        "officer": _officer_contact(referral),
        "actions": action_buttons(request.user, referral, PARTNER_ACTIONS,
                                  failed_action=failed_action, reason_form=reason_form),
        "failed_action": failed_action,
        "action_errors": errors or [],
        "can_log": referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS),
    })
    log_access(request, referral.order.client, AccessLog.Action.VIEW,
               label=f"{referral.order.client} · {referral.partner} (partner portal)")
    return render(request, "partners/portal_referral.html", context)


@never_cache
@login_required
@partner_staff_only
def portal_referral(request, pk: int):
    referral = get_scoped_or_404(_portal_queryset(request.user), pk=pk)
    return _render_referral(request, referral)


@never_cache
@login_required
@partner_staff_only
@require_POST
def portal_action(request, pk: int):
    referral = get_scoped_or_404(_portal_queryset(request.user), pk=pk)
    refused = take_action(request, referral, PARTNER_ACTIONS, _render_referral)
    if refused is not None:
        return refused
    if referral.status == ReferralStatus.DECLINED:
        return redirect("partners:portal")
    return redirect("partners:portal_referral", pk=referral.pk)


@never_cache
@login_required
@partner_staff_only
def portal_session(request, pk: int):
    referral = get_scoped_or_404(_portal_queryset(request.user), pk=pk)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session_log(referral=referral, by=request.user, date=data["date"],
                        duration_minutes=data["duration_minutes"],
                        attendance=data["attendance"], activity=data["activity"],
                        progress=data["progress"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The session has been logged."))
            return redirect("partners:portal_referral", pk=referral.pk)
    log_access(request, referral.order.client, AccessLog.Action.VIEW,
               label=f"{referral.order.client} · session form (partner portal)")
    return render(request, "partners/session_form.html",
                  {"form": form, "referral": referral, "card": partner_card(referral)})


@never_cache
@login_required
@partner_staff_only
def portal_report(request, pk: int):
    referral = get_scoped_or_404(_portal_queryset(request.user), pk=pk)
    goals = list(referral.goals.all())
    form = ReportForm(request.POST or None, goals=goals)
    if request.method == "POST" and form.is_valid():
        try:
            report_submit(referral=referral, by=request.user,
                          summary=form.cleaned_data["summary"],
                          recommendation=form.cleaned_data["recommendation"],
                          outcomes=form.outcomes())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The report has been submitted and the referral is "
                                        "completed."))
            return redirect("partners:portal_referral", pk=referral.pk)
    log_access(request, referral.order.client, AccessLog.Action.VIEW,
               label=f"{referral.order.client} · report form (partner portal)")
    return render(request, "partners/report_form.html",
                  {"form": form, "referral": referral, "card": partner_card(referral)})


@never_cache
@login_required
@partner_staff_only
def portal_client_photo(request, pk: int):
    referral = get_scoped_or_404(
        _portal_queryset(request.user).filter(status__in=PARTNER_CARD_STATUSES), pk=pk
    )
    client = referral.order.client
    suffix = Path(client.photo.name).suffix if client.photo else ""
    response = stream_file(client.photo, download_name=f"klien-{referral.pk}{suffix}")
    log_access(request, client, AccessLog.Action.VIEW,
               label=f"{client} · photo (partner portal)")
    return response


urlpatterns = [
    path("portal/", portal, name="portal"),
    path("portal/referrals/<int:pk>/", portal_referral, name="portal_referral"),
    path("portal/referrals/<int:pk>/action/", portal_action, name="portal_action"),
    path("portal/referrals/<int:pk>/sessions/new/", portal_session, name="portal_session"),
    path("portal/referrals/<int:pk>/report/", portal_report, name="portal_report"),
    path("portal/referrals/<int:pk>/photo/", portal_client_photo, name="portal_client_photo"),
]
