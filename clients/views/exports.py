"""XLSX and CSV exports of the caseload, the awaiting-outcome list and the agenda.

Each export applies the same scoping and filters as its page (the caseload's filters and the
search term kept in the session; the contact lists' PK filter), is permission-checked like the
page, and is recorded in the access log by ``bapas.exports.export_response``.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from bapas.exports import Column, check_format, export_response
from bapas.roles import capability_required

from ..models import Contact, OrderStatus, Stage
from .caseload import caseload_query
from .contacts import AGENDA_DAYS, _officer_filter


def _stage(order) -> str:
    return str(Stage(order.stage_now).label) if order.status == OrderStatus.ACTIVE else ""


def caseload_columns() -> list[Column]:
    return [
        Column(_("Register number"), "client.register_number"),
        Column(_("Full name"), "client.full_name"),
        Column(_("NIK"), "client.nik"),
        Column(_("Sex"), "client.get_sex_display"),
        Column(_("Date of birth"), "client.birth_date"),
        Column(_("Section"), "client.get_section_display"),
        Column(_("Program"), "get_program_display"),
        Column(_("Decree (SK) number"), "decree_number"),
        Column(_("Offence"), "offence"),
        Column(_("Supervision start"), "supervision_start"),
        Column(_("Supervision end"), "supervision_end"),
        Column(_("Stage"), _stage),
        Column(_("Risk level"), "get_risk_level_display"),
        Column(_("Status"), "get_status_display"),
        Column(_("PK"), "assigned_pk.full_name"),
        Column(_("Covering PK"), "cover_pk.full_name"),
        Column(_("Last attended contact"), "last_contact"),
        Column(_("Next contact"), "next_contact"),
        Column(_("Contacts awaiting an outcome"), "awaiting_count"),
    ]


@never_cache
@login_required
@capability_required("clients.view")
def caseload_export(request, fmt: str):
    check_format(fmt)
    query = caseload_query(request)
    label = _("Caseload list")
    if query.view_mode == "cover":
        label = _("Caseload list (clients I cover)")
    if query.term:
        label = _("%(list)s, search results") % {"list": label}
    return export_response(
        query.rows, caseload_columns(), _("caseload"), fmt, request=request, label=label,
        office_id=request.user.office_id,
    )


def _contact_columns(*, overdue: bool) -> list[Column]:
    today = timezone.localdate()
    columns = [
        Column(_("Planned for"), "planned_at"),
        Column(_("Kind"), "get_kind_display"),
        Column(_("Register number"), "order.client.register_number"),
        Column(_("Client"), "order.client.full_name"),
        Column(_("Program"), "order.get_program_display"),
        Column(_("Officer"), "officer.full_name"),
        Column(_("PK"), "order.assigned_pk.full_name"),
        Column(_("Place"), "place"),
    ]
    if overdue:
        columns.append(Column(
            _("Days waiting"), lambda c: (today - timezone.localdate(c.planned_at)).days))
    return columns


def _contacts(request, qs):
    qs, _pks, selected = _officer_filter(request, qs)
    rows = qs.select_related("order__client", "order__assigned_pk", "officer").order_by(
        "planned_at", "pk")
    return rows, selected


@never_cache
@login_required
@capability_required("clients.casework")
def awaiting_export(request, fmt: str):
    check_format(fmt)
    rows, _selected = _contacts(request, Contact.objects.for_user(request.user).awaiting_outcome())
    return export_response(
        rows, _contact_columns(overdue=True), _("contacts-awaiting-outcome"), fmt,
        request=request, label=_("Contacts awaiting an outcome"),
        office_id=request.user.office_id,
    )


@never_cache
@login_required
@capability_required("clients.casework")
def agenda_export(request, fmt: str):
    check_format(fmt)
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    end = start + timedelta(days=AGENDA_DAYS + 1)
    qs = Contact.objects.for_user(request.user).planned().filter(
        planned_at__gte=start, planned_at__lt=end)
    rows, _selected = _contacts(request, qs)
    return export_response(
        rows, _contact_columns(overdue=False), _("agenda"), fmt, request=request,
        label=_("Agenda of contacts"), office_id=request.user.office_id,
    )


urlpatterns = [
    path("export/caseload.<str:fmt>", caseload_export, name="export_caseload"),
    path("export/awaiting.<str:fmt>", awaiting_export, name="export_awaiting"),
    path("export/agenda.<str:fmt>", agenda_export, name="export_agenda"),
]
