"""The officers' partner directory, partner pages, and partner and agreement forms."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from bapas.audit import log_access
from bapas.models import AccessLog, Role
from bapas.roles import can
from bapas.scoping import ALL, get_scoped_or_404, office_ids_for

from ..forms import AgreementForm, ContactFormSet, DirectoryFilterForm, PartnerForm, apply_errors
from ..models import (
    EXPIRING_WITHIN_DAYS,
    Agreement,
    AgreementStatus,
    Partner,
    Referral,
    ReferralStatus,
    ServiceSession,
    agreement_status_for,
)
from ..services import agreement_save, can_manage_partner, partner_save
from .common import PAGE_SIZE, officers_only, stream_file

SERVED_STATUSES = (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS,
                   ReferralStatus.COMPLETED, ReferralStatus.ENDED_EARLY)


def _office_filter(office_ids, path: str) -> dict:
    return {} if office_ids is ALL else {f"{path}__in": office_ids}


def _partners_for_directory(user):
    """Partners the user may see, with their latest agreement end and open referral count.

    Subqueries rather than joins, so the page runs the same queries for 3 or 300 partners.
    """
    office_ids = office_ids_for(user)
    latest_end = (
        Agreement.objects.filter(partner=OuterRef("pk"), **_office_filter(office_ids, "office_id"))
        .order_by("-end_date")
        .values("end_date")[:1]
    )
    open_referrals = (
        Referral.objects.filter(
            partner=OuterRef("pk"),
            status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS],
            **_office_filter(office_ids, "order__client__office_id"),
        )
        .order_by()
        .values("partner")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Partner.objects.for_user(user)
        .annotate(
            latest_agreement_end=Subquery(latest_end),
            open_referrals=Coalesce(Subquery(open_referrals, output_field=IntegerField()),
                                    Value(0)),
        )
        .prefetch_related("services")
    )


def directory_queryset(user, form: DirectoryFilterForm):
    """The directory's partners, filtered by ``form`` (when it is valid) and sorted by name.

    The page and its export both read through here, so an export holds the page's rows.
    """
    qs = _partners_for_directory(user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            qs = qs.filter(name__icontains=data["q"].strip())
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["group"]:
            qs = qs.filter(pokmas_group=data["group"])
        if data["active"]:
            qs = qs.filter(is_active=data["active"] == "yes")
        if data["service"]:
            qs = qs.filter(services=data["service"])
        today = timezone.localdate()
        soon = today + timedelta(days=EXPIRING_WITHIN_DAYS)
        agreement = data["agreement"]
        if agreement == AgreementStatus.ACTIVE:
            qs = qs.filter(latest_agreement_end__gt=soon)
        elif agreement == AgreementStatus.EXPIRING:
            qs = qs.filter(latest_agreement_end__gte=today, latest_agreement_end__lte=soon)
        elif agreement == AgreementStatus.EXPIRED:
            qs = qs.filter(latest_agreement_end__lt=today)
        elif agreement == "none":
            qs = qs.filter(latest_agreement_end__isnull=True)
    return qs.order_by("name", "pk")


@login_required
@officers_only("partners.view")
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    qs = directory_queryset(request.user, form)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for partner in page:
        partner.agreement_status = agreement_status_for(partner.latest_agreement_end)
    return render(request, "partners/directory.html", {
        "page": page, "form": form, "can_manage": can(request.user, "partners.manage"),
        "agreement_labels": dict(AgreementStatus.choices),
    })


def _activity(partner: Partner, office_ids) -> dict:
    referrals = Referral.objects.filter(
        partner=partner, **_office_filter(office_ids, "order__client__office_id")
    ).exclude(status=ReferralStatus.DRAFT)
    by_status = dict(
        referrals.order_by().values_list("status").annotate(n=Count("pk")).values_list(
            "status", "n"
        )
    )
    year = timezone.localdate().year
    return {
        "by_status": [
            (ReferralStatus(status).label, by_status.get(status, 0), status)
            for status in ReferralStatus.values if status != ReferralStatus.DRAFT
        ],
        "total": sum(by_status.values()),
        "sessions_this_year": ServiceSession.objects.filter(
            referral__in=referrals, date__year=year
        ).count(),
        "clients_served": referrals.filter(status__in=SERVED_STATUSES)
        .values("order__client").distinct().count(),
        "year": year,
    }


@never_cache
@login_required
@officers_only("partners.view")
def detail(request, pk: int):
    user = request.user
    partner = get_scoped_or_404(
        Partner.objects.for_user(user).prefetch_related("services", "contacts", "offices"), pk=pk
    )
    office_ids = office_ids_for(user)
    agreements = list(
        Agreement.objects.for_user(user).filter(partner=partner).select_related("office")
    )
    can_refer = can(user, "referrals.manage")
    referrals = []
    if can_refer:
        referrals = list(
            Referral.objects.for_user(user).filter(partner=partner)
            .select_related("order__client", "service", "order__assigned_pk")
            .order_by("-created_at")[:10]
        )
    staff = partner.staff.filter(role=Role.PARTNER).order_by("full_name")
    return render(request, "partners/detail.html", {
        "partner": partner,
        "agreements": agreements,
        "staff": staff,
        "referrals": referrals,
        "can_refer": can_refer,
        "activity": _activity(partner, office_ids),
        "can_manage": can_manage_partner(user, partner),
        "can_manage_users": can(user, "users.manage"),
    })


def _save_partner(request, partner: Partner | None):
    editing = partner is not None
    partner = partner or Partner()
    form = PartnerForm(request.POST or None, instance=partner, editor=request.user)
    contacts = ContactFormSet(request.POST or None, instance=partner, prefix="contacts")
    if request.method == "POST" and form.is_valid() and contacts.is_valid():
        try:
            with transaction.atomic():
                saved = partner_save(
                    partner=form.save(commit=False), by=request.user,
                    services=form.cleaned_data["services"],
                    offices=form.cleaned_data.get("offices"),
                )
                contacts.instance = saved
                contacts.save()
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(partner)s has been saved.") % {"partner": saved})
            return redirect("partners:detail", pk=saved.pk)
    return render(request, "partners/partner_form.html", {
        "form": form, "contacts": contacts, "partner": partner if editing else None,
    })


@login_required
@officers_only("partners.manage")
def partner_create(request):
    return _save_partner(request, None)


@login_required
@officers_only("partners.manage")
def partner_edit(request, pk: int):
    partner = get_scoped_or_404(Partner.objects.for_user(request.user), pk=pk)
    if not can_manage_partner(request.user, partner):
        raise PermissionDenied
    return _save_partner(request, partner)


def _save_agreement(request, partner: Partner, agreement: Agreement | None):
    initial = AgreementForm.initial_from(agreement) if agreement else {}
    form = AgreementForm(request.POST or None, request.FILES or None, initial=initial,
                         partner=partner, editor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        office = data.get("office") or request.user.office
        try:
            saved = agreement_save(
                partner=partner, by=request.user, office=office, kind=data["kind"],
                number=data["number"], title=data["title"], parties=data["parties"],
                start_date=data["start_date"], end_date=data["end_date"],
                document=request.FILES.get("document"), agreement=agreement,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The agreement %(number)s has been saved.")
                             % {"number": saved.number})
            return redirect("partners:detail", pk=partner.pk)
    return render(request, "partners/agreement_form.html",
                  {"form": form, "partner": partner, "agreement": agreement})


def _managed_partner(request, pk: int) -> Partner:
    partner = get_scoped_or_404(Partner.objects.for_user(request.user), pk=pk)
    if not can_manage_partner(request.user, partner):
        raise PermissionDenied
    return partner


@login_required
@officers_only("partners.manage")
def agreement_create(request, pk: int):
    return _save_agreement(request, _managed_partner(request, pk), None)


@login_required
@officers_only("partners.manage")
def agreement_edit(request, pk: int, agreement_pk: int):
    partner = _managed_partner(request, pk)
    agreement = get_scoped_or_404(
        Agreement.objects.for_user(request.user).filter(partner=partner), pk=agreement_pk
    )
    return _save_agreement(request, partner, agreement)


@never_cache
@login_required
@officers_only("partners.view")
def agreement_document(request, pk: int, agreement_pk: int):
    agreement = get_scoped_or_404(
        Agreement.objects.for_user(request.user).filter(partner_id=pk).select_related("partner"),
        pk=agreement_pk,
    )
    response = stream_file(agreement.document)
    log_access(request, agreement, AccessLog.Action.DOWNLOAD,
               label=f"{agreement} · {agreement.partner}")
    return response


urlpatterns = [
    path("", directory, name="directory"),
    path("new/", partner_create, name="create"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/edit/", partner_edit, name="edit"),
    path("<int:pk>/agreements/new/", agreement_create, name="agreement_create"),
    path("<int:pk>/agreements/<int:agreement_pk>/", agreement_edit, name="agreement_edit"),
    path("<int:pk>/agreements/<int:agreement_pk>/document/", agreement_document,
         name="agreement_document"),
]
