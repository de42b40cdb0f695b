"""Registering a client (duplicate check first, then the identity form) and editing one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from bapas.audit import log_access
from bapas.models import AccessLog
from bapas.roles import can, capability_required
from bapas.scoping import get_scoped_or_404

from ..forms.registration import ClientForm, DuplicateCheckForm
from ..models import Client, District, Regency, Village
from ..services.clients import client_register, client_update, find_duplicates
from ..timeline_sources import optional_url

REGION_LEVELS = {
    "regency": (Regency, "province_id"),
    "district": (District, "regency_id"),
    "village": (Village, "district_id"),
}


def _duplicate_rows(request, duplicates) -> list[dict]:
    """What the user may be told about each existing client who matches.

    A client the user may open is shown with a link; any other (another office, another PK's
    caseload) only by the office that holds it, never with personal data.
    """
    user = request.user
    visible = set(
        Client.objects.for_user(user)
        .filter(pk__in=[d.client.pk for d in duplicates])
        .values_list("pk", flat=True)
    )
    rows = []
    for duplicate in duplicates:
        client = duplicate.client
        if client.pk in visible:
            log_access(request, client, AccessLog.Action.SEARCH)
            rows.append({"client": client, "reason": duplicate.reason, "visible": True})
            continue
        same_office = client.office_id == user.office_id
        if same_office and client.created_by_id == user.pk:
            # A PK's own registration that has no order yet: they may give it its first order.
            rows.append({
                "reason": duplicate.reason, "visible": False, "own": True, "client": client,
                "order_url": optional_url("clients:order_create", client.pk),
            })
            continue
        if duplicate.reason == "nik":
            message = (
                _("A client with this NIK is already registered in your office, on another "
                  "officer's caseload. Ask your supervisor to give you access.")
                if same_office else
                _("A client with this NIK is already registered at %(office)s. Contact that "
                  "office to have the client transferred.") % {"office": client.office.name}
            )
        else:
            message = (
                _("A client with the same name and date of birth is already registered in your "
                  "office, on another officer's caseload. Ask your supervisor.")
                if same_office else
                _("A client with the same name and date of birth is already registered at "
                  "%(office)s. Contact that office before registering.")
                % {"office": client.office.name}
            )
        rows.append({"reason": duplicate.reason, "visible": False, "message": message})
    return rows


def _check_page(request, form, duplicates=None):
    return render(request, "clients/register/check.html", {
        "form": form,
        "duplicates": _duplicate_rows(request, duplicates) if duplicates else [],
    })


def _form_page(request, form, duplicates=None, status=200):
    return render(request, "clients/register/form.html", {
        "form": form,
        "creating": True,
        "duplicates": _duplicate_rows(request, duplicates) if duplicates else [],
    }, status=status)


@login_required
@capability_required("clients.register")
@never_cache
def register(request):
    if not request.user.office_id:
        raise PermissionDenied  # a client belongs to the registering officer's office
    step = request.POST.get("step") if request.method == "POST" else None

    if step == "details":
        form = ClientForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            duplicates = find_duplicates(
                nik=data.get("nik") or "", full_name=data["full_name"],
                birth_date=data["birth_date"],
            )
            if duplicates:
                form.add_error(None, _("This client seems to be registered already (see below). "
                                       "Open the existing record instead of registering again."))
                return _form_page(request, form, duplicates)
            try:
                client = client_register(
                    office=request.user.office, by=request.user, **form.service_fields()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("%(name)s is registered with number %(number)s.")
                    % {"name": client.full_name, "number": client.register_number},
                )
                return redirect(_after_registration(request, client))
        return _form_page(request, form)

    if step == "check":
        check = DuplicateCheckForm(request.POST)
        if check.is_valid():
            data = check.cleaned_data
            duplicates = find_duplicates(
                nik=data["nik"], full_name=data["full_name"], birth_date=data["birth_date"]
            )
            if duplicates:
                return _check_page(request, check, duplicates)
            form = ClientForm(initial={
                "nik": data["nik"], "full_name": data["full_name"],
                "birth_date": data["birth_date"],
            })
            return _form_page(request, form)
        return _check_page(request, check)

    return _check_page(request, DuplicateCheckForm())


def _after_registration(request, client: Client) -> str:
    """Next: the order from the decree; otherwise the client page, if the user may open it."""
    order_url = optional_url("clients:order_create", client.pk)
    if order_url:
        return order_url
    if Client.objects.for_user(request.user).filter(pk=client.pk).exists():
        return client.get_absolute_url()
    return optional_url("clients:register")


@login_required
@never_cache
def edit(request, client_pk: int):
    # Scope first, so another office's client is a 404 whatever the role.
    client = get_scoped_or_404(
        Client.objects.editable_by(request.user).select_related(
            "office", "province", "regency", "district", "village"
        ),
        pk=client_pk,
    )
    if not can(request.user, "clients.register"):
        raise PermissionDenied
    form = ClientForm(request.POST or None, request.FILES or None, instance=client)
    if request.method == "POST" and form.is_valid():
        try:
            client_update(client=client, by=request.user, **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The client's details have been saved."))
            return redirect(client.get_absolute_url())
    if request.method == "GET":
        log_access(request, client)
    return render(
        request, "clients/register/form.html",
        {"form": form, "creating": False, "client": client, "duplicates": []},
    )


@login_required
@capability_required("clients.register")
def region_options(request):
    """<option>s of the regions under ``parent`` for the cascading address selects."""
    level = request.GET.get("level", "")
    parent = request.GET.get("parent", "")
    if level not in REGION_LEVELS:
        return HttpResponseBadRequest("level")
    model, parent_field = REGION_LEVELS[level]
    rows = model.objects.filter(**{parent_field: parent}).order_by("name") if parent else []
    html = format_html('<option value="">{}</option>', "---------") + format_html_join(
        "", '<option value="{}">{}</option>', ((row.pk, str(row)) for row in rows)
    )
    response = HttpResponse(html)
    response["Cache-Control"] = "private, max-age=3600"  # reference data, not personal data
    return response


urlpatterns = [
    path("register/", register, name="register"),
    path("regions/options/", region_options, name="region_options"),
    path("<int:client_pk>/edit/", edit, name="edit"),
]
