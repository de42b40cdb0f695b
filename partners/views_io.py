"""Partners' data in and out: the partners and agreements import, and XLSX/CSV exports of the
directory, the officers' referral list and the partner portal's referrals.

The import pages are the shared ones of ``clients.views.imports``, wired for partners
(``partners.manage``: supervisors and heads for their office, administrators choosing the office;
partner staff get 404). Exports apply the same scoping and filters as their pages. Partner staff
export only what the portal shows them: the fields come from ``partner_card``, so a referral
that did not share the NIK or the offence never puts it in the file.
"""

from __future__ import annotations

import copy

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from bapas.exports import MAX_ROWS, Column, check_format, export_response
from bapas.models import ImportBatch, Role
from clients.views import imports as pages

from .forms import DirectoryFilterForm, ReferralFilterForm
from .imports import SHEET_HELP, PartnerImporter, partner_sheets
from .models import (
    PORTAL_TABS,
    AgreementStatus,
    Referral,
    agreement_status_for,
)
from .views.common import officers_only, partner_staff_only
from .views.directory import directory_queryset
from .views.portal import partner_card
from .views.referrals import referral_list_queryset

PARTNER_PAGES = pages.ImportPages(
    kind=ImportBatch.Kind.PARTNERS,
    namespace="partners",
    capability="partners.manage",
    importer=PartnerImporter,
    sheets=partner_sheets,
    intro=lambda: str(SHEET_HELP),
    title=gettext_lazy("Import partners and agreements"),
    template_stem="template-impor-mitra",
    done_url="partners:directory",
    hidden_roles=frozenset({Role.PARTNER}),
    office_choice=True,
)


def _wired(view):
    return lambda request, *args, **kwargs: view(request, *args, pages=PARTNER_PAGES, **kwargs)


imports_list = _wired(pages.imports_list)
import_template = _wired(pages.template_download)
import_upload = _wired(pages.upload)
import_preview = _wired(pages.preview)
import_progress = _wired(pages.progress)
import_confirm = _wired(pages.confirm)
import_recheck = _wired(pages.recheck)
import_file = _wired(pages.original_file)
import_report = _wired(pages.report)


# --- Directory ------------------------------------------------------------------------------------


def _agreement_status(partner) -> str:
    status = agreement_status_for(partner.latest_agreement_end)
    return str(AgreementStatus(status).label) if status else _("no agreement")


@never_cache
@login_required
@officers_only("partners.view")
def directory_export(request, fmt: str):
    check_format(fmt)
    rows = directory_queryset(request.user, DirectoryFilterForm(request.GET or None))
    columns = [
        Column(_("Name"), "name"),
        Column(_("Type"), "get_kind_display"),
        Column(_("Pokmas group"), "get_pokmas_group_display"),
        Column(_("Address"), "address"),
        Column(_("Phone"), "phone"),
        Column(_("Email"), "email"),
        Column(_("Services"), lambda p: ", ".join(s.name for s in p.services.all())),
        Column(_("Active"), "is_active"),
        Column(_("Latest agreement valid until"), "latest_agreement_end"),
        Column(_("Agreement"), _agreement_status),
        Column(_("Open referrals"), "open_referrals"),
    ]
    return export_response(rows, columns, _("partners"), fmt, request=request,
                           label=_("Partner directory"), office_id=request.user.office_id)


# --- Referrals (officers) -------------------------------------------------------------------------


@never_cache
@login_required
@officers_only("referrals.manage")
def referrals_export(request, fmt: str):
    check_format(fmt)
    form = ReferralFilterForm(request.GET or None, user=request.user)
    qs = referral_list_queryset(request.user, form)
    columns = [
        Column(_("Created"), "created_at"),
        Column(_("Register number"), "order.client.register_number"),
        Column(_("Client"), "order.client.full_name"),
        Column(_("Partner"), "partner.name"),
        Column(_("Service"), "service.name"),
        Column(_("PK"), "order.assigned_pk.full_name"),
        Column(_("Status"), "get_status_display"),
        Column(_("Sent"), "sent_at"),
        Column(_("Accepted"), "accepted_at"),
        Column(_("Closed"), "closed_at"),
        Column(_("Sessions"), "session_count"),
        Column(_("Consent given on"), "consent_given_at"),
    ]
    return export_response(qs, columns,
                           _("referrals"), fmt, request=request, label=_("Referral list"),
                           office_id=request.user.office_id)


# --- Referrals (partner staff) --------------------------------------------------------------------


def shared_card(referral: Referral) -> dict:
    """The portal's client card for this referral, without the case notes (which a
    spreadsheet does not carry, and which would cost a query per row)."""
    shallow = copy.copy(referral)
    shallow.share_case_notes = False
    return partner_card(shallow)


def _card(field_name: str):
    def value(referral: Referral):
        return referral.card.get(field_name, "")

    return value


@never_cache
@login_required
@partner_staff_only
def portal_export(request, fmt: str):
    check_format(fmt)
    tab = request.GET.get("tab", "")
    statuses = PORTAL_TABS.get(tab) or tuple(s for group in PORTAL_TABS.values() for s in group)
    rows = list(
        Referral.objects.for_partner(request.user).filter(status__in=statuses)
        .select_related("order__client__office", "order__client__village",
                        "order__client__district", "order__client__regency",
                        "order__client__province", "order__assigned_pk", "service")
        .with_session_count()
        .order_by("-sent_at", "-pk")[:MAX_ROWS + 1]  # more is refused
    )
    for referral in rows:
        referral.card = shared_card(referral)
    columns = [
        Column(_("Sent"), "sent_at"),
        Column(_("Service"), "service.name"),
        Column(_("Status"), "get_status_display"),
        Column(_("Client"), _card("name")),
        Column(_("Sex"), _card("sex")),
        Column(_("Age"), _card("age")),
        Column(_("Phone"), _card("phone")),
        Column(_("WhatsApp"), _card("whatsapp")),
        Column(_("Address"), _card("address")),
        Column(_("NIK"), _card("nik")),
        Column(_("Offence"), _card("offence")),
        Column(_("Article"), _card("article")),
        Column(_("Risk level"), _card("risk")),
        Column(_("Office"), "order.client.office.name"),
        Column(_("PK"), "order.assigned_pk.full_name"),
        Column(_("Sessions"), "session_count"),
    ]
    return export_response(rows, columns, _("referrals"), fmt, request=request,
                           label=_("Partner portal referrals"))
