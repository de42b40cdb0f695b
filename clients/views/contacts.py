"""Contacts and visits: planning, schedules, outcomes, the officer's lists and front-desk check-in.

Views stay thin: they fetch through ``for_user`` (another office's records are 404), check that
the user may change the case (a covering PK reads only: 403), and call the services in
``clients.services.contacts``, which hold every rule.
"""

from __future__ import annotations

import mimetypes
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bapas.audit import log_access
from bapas.models import AccessLog, Role, User
from bapas.roles import capability_required
from bapas.scoping import get_scoped_or_404

from ..forms.contacts import (
    CancelForm,
    CheckinSearchForm,
    ContactPlanForm,
    IntervalForm,
    OutcomeForm,
    QuickOutcomeForm,
    RescheduleForm,
    ScheduleForm,
    apply_service_errors,
)
from ..models import (
    ATTENDED_OUTCOMES,
    VISIT_KINDS,
    Contact,
    ContactKind,
    ContactPhoto,
    ReportingInterval,
    RiskLevel,
    SupervisionOrder,
    normalise_name,
)
from ..services.contacts import (
    can_correct_outcome,
    can_edit_order,
    contact_cancel,
    contact_checkin,
    contact_plan,
    contact_record_outcome,
    contact_reschedule,
    current_intervals,
    is_manager,
    officer_choices,
    reporting_intervals_update,
    schedule_generate,
    schedule_propose,
)

PAGE_SIZE = 25
AGENDA_DAYS = 14
CHECKIN_RESULTS = 20
DEFAULT_REPORT_TIME = time(9, 0)


# --- Helpers ------------------------------------------------------------------------------------


def _order_for(request, order_pk: int, *, edit: bool = True) -> SupervisionOrder:
    order = get_scoped_or_404(
        SupervisionOrder.objects.for_user(request.user).select_related("client", "assigned_pk"),
        pk=order_pk,
    )
    if edit and not can_edit_order(request.user, order):
        raise PermissionDenied
    return order


def _contact_for(request, contact_pk: int, *, edit: bool = True) -> Contact:
    contact = get_scoped_or_404(
        Contact.objects.for_user(request.user).select_related(
            "order__client", "order__assigned_pk", "officer", "recorded_by"
        ),
        pk=contact_pk,
    )
    if edit and not can_edit_order(request.user, contact.order):
        raise PermissionDenied
    return contact


def _reverse_or_none(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # another part of the app has not added that page yet
        return None


def _next_url(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _order_url(order: SupervisionOrder) -> str | None:
    return _reverse_or_none("clients:order_detail", order.client_id, order.pk)


def _log_contact(request, contact: Contact, action: str = AccessLog.Action.VIEW) -> None:
    log_access(
        request, contact, action, office_id=contact.order.client.office_id,
        label=f"{contact.order.client.full_name} · {contact}",
    )


def _officer_filter(request, qs):
    """PKs see their own caseload; managers the office, optionally one PK's caseload."""
    user = request.user
    if user.role == Role.PK:
        return qs.filter(order__assigned_pk=user), [], None
    pks = list(
        User.objects.filter(office_id=user.office_id, role=Role.PK, is_active=True)
        .order_by("full_name").only("id", "full_name")
    )
    selected = request.GET.get("pk", "")
    if selected.isdigit():
        qs = qs.filter(order__assigned_pk_id=int(selected))
        selected = int(selected)
    else:
        selected = None
    return qs, pks, selected


# --- Planning -----------------------------------------------------------------------------------


@never_cache
@login_required
@capability_required("clients.casework")
def plan(request, order_pk: int):
    order = _order_for(request, order_pk)
    kind = request.GET.get("kind")
    form = ContactPlanForm(
        request.POST or None,
        officers=officer_choices(order),
        initial={
            "kind": kind if kind in ContactKind.values else ContactKind.REPORT,
            "officer": order.assigned_pk,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_plan(order=order, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(kind)s planned for %(when)s.")
                % {"kind": contact.get_kind_display(),
                   "when": date_format(timezone.localtime(contact.planned_at),
                                       "SHORT_DATETIME_FORMAT")},
            )
            return redirect(_next_url(request, _order_url(order) or contact.get_absolute_url()))
    return render(
        request, "clients/contacts/plan.html",
        {"order": order, "form": form, "order_url": _order_url(order),
         "visit_kinds": sorted(VISIT_KINDS), "remote_kind": ContactKind.REMOTE_REPORT},
    )


@never_cache
@login_required
@capability_required("clients.casework")
def schedule(request, order_pk: int):
    """Preview the reporting days of an order, then create them on confirmation."""
    order = _order_for(request, order_pk)
    if request.method == "POST":
        form = ScheduleForm(request.POST)
    else:  # show the default schedule straight away
        start = max(timezone.localdate(), order.supervision_start)
        form = ScheduleForm(
            {"start": start.isoformat(), "time": DEFAULT_REPORT_TIME.strftime("%H:%M")}
        )
    proposal = signature = None
    if order.is_active and form.is_valid():
        start, at_time = form.cleaned_data["start"], form.cleaned_data["time"]
        signature = f"{start or ''}|{at_time:%H:%M}"
        confirmed = request.POST.get("action") == "confirm"
        if confirmed and request.POST.get("previewed") != signature:
            confirmed = False
            messages.info(request, _("The dates changed; check the new list before confirming."))
        try:
            if confirmed:
                created = schedule_generate(
                    order=order, start=start, time=at_time, by=request.user, commit=True
                )
                messages.success(
                    request,
                    _("%(count)d reporting dates were added to the schedule.")
                    % {"count": len(created)},
                )
                return redirect(_order_url(order) or reverse("clients:agenda"))
            proposal = schedule_propose(order=order, start=start, at_time=at_time,
                                        by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
    return render(
        request, "clients/contacts/schedule.html",
        {"order": order, "form": form, "proposal": proposal, "signature": signature,
         "order_url": _order_url(order),
         "risk_label": RiskLevel(order.risk_level).label},
    )


# --- One contact --------------------------------------------------------------------------------


@never_cache
@login_required
@capability_required("clients.casework")
def detail(request, contact_pk: int):
    contact = _contact_for(request, contact_pk, edit=False)
    _log_contact(request, contact)
    editable = can_edit_order(request.user, contact.order)
    history = contact.history.select_related("history_user").order_by("-history_date")[:50]
    return render(
        request, "clients/contacts/detail.html",
        {
            "contact": contact,
            "order": contact.order,
            "photos": contact.photos.all(),
            "history": history,
            "editable": editable,
            "can_record": editable and contact.cancelled_at is None and (
                not contact.outcome or can_correct_outcome(request.user, contact)
            ) and timezone.localdate(contact.planned_at) <= timezone.localdate(),
            "order_url": _order_url(contact.order),
            "client_url": _reverse_or_none("clients:detail", contact.order.client_id),
        },
    )


def _outcome_initial(contact: Contact) -> dict:
    now = timezone.now()
    place = contact.place
    if not place and contact.kind == ContactKind.HOME_VISIT:
        place = contact.order.client.address_display
    return {
        "outcome": contact.outcome,
        "happened_at": timezone.localtime(contact.happened_at or min(contact.planned_at, now)),
        "notes": contact.notes,
        "place": place,
    }


@never_cache
@login_required
@capability_required("clients.casework")
def outcome(request, contact_pk: int):
    contact = _contact_for(request, contact_pk)
    if contact.outcome and not can_correct_outcome(request.user, contact):
        raise PermissionDenied
    quick = request.POST.get("quick") == "1"
    form_class = QuickOutcomeForm if quick else OutcomeForm
    form = form_class(
        request.POST or None, request.FILES or None, contact=contact,
        initial=_outcome_initial(contact),
        auto_id=f"c{contact.pk}_%s" if quick else "id_%s",
    )
    if request.method == "POST" and form.is_valid():
        correcting = bool(contact.outcome)
        try:
            contact_record_outcome(
                contact=contact,
                outcome=form.cleaned_data["outcome"],
                happened_at=form.cleaned_data.get("happened_at"),
                notes=form.cleaned_data.get("notes", ""),
                place=form.cleaned_data.get("place", ""),
                photos=form.cleaned_data.get("photos", []),
                by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if request.htmx and quick:
                return render(request, "clients/contacts/_awaiting_row.html",
                              {"contact": contact, "done": True,
                               "show_pk": is_manager(request.user)})
            messages.success(
                request,
                _("The outcome was corrected.") if correcting else _("The outcome was recorded."),
            )
            return redirect(_next_url(request, contact.get_absolute_url()))
    if request.htmx and quick:
        contact.days_overdue = (timezone.localdate() - timezone.localdate(contact.planned_at)).days
        contact.quick_form = form
        return render(
            request, "clients/contacts/_awaiting_row.html",
            {"contact": contact, "next": request.POST.get("next", ""),
             "show_pk": is_manager(request.user)},
        )
    if request.method == "GET":
        _log_contact(request, contact)
    return render(
        request, "clients/contacts/outcome.html",
        {
            "contact": contact,
            "order": contact.order,
            "form": form,
            "in_future": timezone.localdate(contact.planned_at) > timezone.localdate(),
            "photo_count": contact.photos.count() if contact.is_visit else 0,
            "next": _next_url(request, ""),
        },
    )


@never_cache
@login_required
@capability_required("clients.casework")
def reschedule(request, contact_pk: int):
    contact = _contact_for(request, contact_pk)
    form = RescheduleForm(
        request.POST or None, initial={"planned_at": timezone.localtime(contact.planned_at)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            contact_reschedule(contact=contact, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Moved to %(when)s.")
                % {"when": date_format(timezone.localtime(contact.planned_at),
                                       "SHORT_DATETIME_FORMAT")},
            )
            return redirect(_next_url(request, contact.get_absolute_url()))
    return render(
        request, "clients/contacts/change.html",
        {"contact": contact, "order": contact.order, "form": form, "mode": "reschedule",
         "next": _next_url(request, "")},
    )


@never_cache
@login_required
@capability_required("clients.casework")
def cancel(request, contact_pk: int):
    contact = _contact_for(request, contact_pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact_cancel(contact=contact, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The contact was cancelled."))
            return redirect(_next_url(request, contact.get_absolute_url()))
    return render(
        request, "clients/contacts/change.html",
        {"contact": contact, "order": contact.order, "form": form, "mode": "cancel",
         "next": _next_url(request, "")},
    )


@never_cache
@login_required
@capability_required("clients.casework")
def photo(request, photo_pk: int):
    """Serve a visit photo from private storage to those who may see the contact."""
    item = get_scoped_or_404(
        ContactPhoto.objects.select_related("contact__order__client").filter(
            contact__in=Contact.objects.for_user(request.user)
        ),
        pk=photo_pk,
    )
    log_access(
        request, item, AccessLog.Action.DOWNLOAD,
        office_id=item.contact.order.client.office_id,
        label=f"{item.contact.order.client.full_name} · {item.contact}",
    )
    content_type = mimetypes.guess_type(item.image.name)[0] or "application/octet-stream"
    response = FileResponse(item.image.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- The officer's lists ------------------------------------------------------------------------


@never_cache
@login_required
@capability_required("clients.casework")
def awaiting_outcomes(request):
    """Every past contact still waiting for its outcome, oldest first."""
    qs = Contact.objects.for_user(request.user).awaiting_outcome()
    qs, pks, selected = _officer_filter(request, qs)
    qs = qs.select_related("order__client", "order__assigned_pk", "officer").order_by(
        "planned_at", "pk"
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for contact in page:
        contact.days_overdue = (today - timezone.localdate(contact.planned_at)).days
        contact.quick_form = QuickOutcomeForm(
            contact=contact, auto_id=f"c{contact.pk}_%s",
            initial={"happened_at": timezone.localtime(contact.planned_at),
                     "place": contact.place},
        )
    return render(
        request, "clients/contacts/awaiting.html",
        {"page": page, "pks": pks, "selected_pk": selected, "show_pk": is_manager(request.user)},
    )


@never_cache
@login_required
@capability_required("clients.casework")
def agenda(request):
    """The user's open contacts from today to two weeks ahead."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    end = start + timedelta(days=AGENDA_DAYS + 1)
    qs = Contact.objects.for_user(request.user).planned().filter(
        planned_at__gte=start, planned_at__lt=end
    )
    qs, pks, selected = _officer_filter(request, qs)
    qs = qs.select_related("order__client", "order__assigned_pk", "officer").order_by(
        "planned_at", "pk"
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for contact in page:
        contact.day = timezone.localdate(contact.planned_at)
        contact.is_past = contact.planned_at < now
    return render(
        request, "clients/contacts/agenda.html",
        {"page": page, "pks": pks, "selected_pk": selected, "show_pk": is_manager(request.user),
         "days": AGENDA_DAYS, "today": timezone.localdate()},
    )


# --- Front-desk check-in ------------------------------------------------------------------------


def _reported_today():
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    return Exists(
        Contact.objects.filter(
            order=OuterRef("pk"), kind=ContactKind.REPORT, cancelled_at__isnull=True,
            planned_at__gte=start, planned_at__lt=start + timedelta(days=1),
        ).filter(Q(checked_in_at__isnull=False) | Q(outcome__in=list(ATTENDED_OUTCOMES)))
    )


def search_orders_for_checkin(user, query: str):
    """Active orders of clients the user may see, matched by NIK, register number or name."""
    query = query.strip()
    match = Q(client__register_number__iexact=query)
    digits = query.replace(" ", "")
    if digits.isdigit():
        match |= Q(client__nik=digits) if len(digits) == 16 else Q(client__nik__startswith=digits)
    tokens = normalise_name(query).split()
    if tokens:
        by_name = Q()
        for token in tokens:
            by_name &= Q(client__search_name__contains=token)
        match |= by_name
    return (
        SupervisionOrder.objects.for_user(user).active().filter(match)
        .select_related("client", "assigned_pk")
        .annotate(reported_today=_reported_today())
        .order_by("client__full_name", "pk")
    )


@never_cache
@login_required
@capability_required("clients.checkin")
def checkin(request):
    """Search a client by name, register number or NIK (POSTed, never in the URL), confirm."""
    form = CheckinSearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        results = list(search_orders_for_checkin(request.user, form.cleaned_data["q"])
                       [:CHECKIN_RESULTS + 1])
        log_access(
            request, None, AccessLog.Action.SEARCH, office_id=request.user.office_id,
            label=_("Front-desk check-in search (%(count)d found)") % {"count": len(results)},
        )
        if len(results) == 1 and not results[0].reported_today:
            # One match: the confirm button takes the focus, so Enter checks the client in.
            form.fields["q"].widget.attrs.pop("autofocus", None)
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    expected = (
        Contact.objects.for_user(request.user)
        .filter(kind=ContactKind.REPORT, cancelled_at__isnull=True,
                planned_at__gte=start, planned_at__lt=start + timedelta(days=1))
        .select_related("order__client", "order__assigned_pk")
        .order_by("planned_at", "pk")
    )
    if request.user.role == Role.PK:
        expected = expected.filter(order__assigned_pk=request.user)
    expected_page = Paginator(expected, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "clients/contacts/checkin.html",
        {
            "form": form,
            "results": results[:CHECKIN_RESULTS] if results is not None else None,
            "more": results is not None and len(results) > CHECKIN_RESULTS,
            "page": expected_page,
        },
    )


@login_required
@capability_required("clients.checkin")
@require_POST
def checkin_confirm(request, order_pk: int):
    order = get_scoped_or_404(
        SupervisionOrder.objects.for_user(request.user).select_related("client"), pk=order_pk
    )
    try:
        contact = contact_checkin(order=order, by=request.user)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s is checked in for reporting at %(time)s.")
            % {"name": order.client.full_name,
               "time": date_format(timezone.localtime(contact.checked_in_at), "TIME_FORMAT")},
        )
    return redirect("clients:checkin")


# --- Office settings ----------------------------------------------------------------------------


@never_cache
@login_required
@capability_required("clients.assign")
def intervals(request):
    """Supervisors and heads set how often clients of each risk level report."""
    office = request.user.office
    if office is None:
        raise PermissionDenied
    form = IntervalForm(request.POST or None, initial=current_intervals(office))
    if request.method == "POST" and form.is_valid():
        try:
            changed = reporting_intervals_update(
                office=office, days=dict(form.cleaned_data), by=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if changed:
                messages.success(request, _("The reporting intervals were saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("clients:intervals")
    history = (
        ReportingInterval.history.filter(office_id=office.pk)
        .select_related("history_user").order_by("-history_date")[:20]
    )
    return render(
        request, "clients/contacts/intervals.html",
        {"form": form, "office": office, "history": history,
         "defaults": ReportingInterval.DEFAULT_DAYS},
    )


urlpatterns = [
    path("orders/<int:order_pk>/contacts/new/", plan, name="contact_plan"),
    path("orders/<int:order_pk>/schedule/", schedule, name="schedule_generate"),
    path("contacts/<int:contact_pk>/", detail, name="contact_detail"),
    path("contacts/<int:contact_pk>/outcome/", outcome, name="contact_outcome"),
    path("contacts/<int:contact_pk>/reschedule/", reschedule, name="contact_reschedule"),
    path("contacts/<int:contact_pk>/cancel/", cancel, name="contact_cancel"),
    path("contacts/photos/<int:photo_pk>/", photo, name="contact_photo"),
    path("contacts/awaiting/", awaiting_outcomes, name="awaiting_outcomes"),
    path("contacts/agenda/", agenda, name="agenda"),
    path("checkin/", checkin, name="checkin"),
    path("checkin/<int:order_pk>/", checkin_confirm, name="checkin_confirm"),
    path("intervals/", intervals, name="intervals"),
]
