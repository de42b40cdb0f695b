"""What each kind of report contains: the context of its template, rendered to bytes.

``render_document(report)`` is the one entry point; the generation service calls it and stores
the bytes. Nothing here writes to the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from bapas.models import Office, Role, User
from clients.models import (
    Contact,
    ContactKind,
    Program,
    ReportingInterval,
    Stage,
    SupervisionOrder,
)
from partners.models import Referral, ServiceSession

from . import charts
from .figures import (
    SECTIONS,
    ContactFigures,
    MonthlyFigures,
    attendance_trend,
    day_range,
    monthly_figures,
)
from .models import GeneratedReport, ReportKind
from .pdf import MONTHS_ID, render_pdf
from .qr import qr_svg_data_uri
from .xlsx import build_workbook

# Short program names for chart axes (the tables carry the full names).
PROGRAM_SHORT = {
    Program.PB: "PB", Program.CB: "CB", Program.CMB: "CMB", Program.ASSIMILATION: "Asimilasi",
    Program.CONDITIONAL: "P. Bersyarat", Program.SUPERVISED: "P. Pengawasan",
    Program.DIVERSION: "Diversi",
}
GUIDANCE_CARD_MIN_ROWS = 10


def period_label(year: int, month: int) -> str:
    return f"{MONTHS_ID[month - 1]} {year}"


@dataclass(frozen=True)
class RegionalIssuer:
    """A regional office dressed as the ``office`` that the PDF letterhead expects."""

    regional: object
    address: str = ""
    phone: str = ""
    email: str = ""
    logo: None = None
    city: str = ""
    letterhead_extra: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.regional.name

    @property
    def regional_office(self):
        # The ministry line on top, then the Kanwil's name as the issuing office.
        return SimpleNamespace(ministry_line=self.regional.ministry_line, name="")


def _verification(report: GeneratedReport) -> dict:
    """The QR code and address printed at the end, and the short code in every page's footer
    (``verification_label``/``verification_url`` are what the base template's footer prints;
    the whole address would collide with the RAHASIA marking)."""
    url = report.verification_url()
    return {"verify_link": url, "verification_qr": qr_svg_data_uri(url),
            "verification_code": report.verification_code,
            "verification_label": _("Verification code:"),
            "verification_url": report.verification_code}


# --- Monthly and regional reports ------------------------------------------------------------

def _monthly_figures(report: GeneratedReport) -> tuple[MonthlyFigures, list[int], bool]:
    regional = report.kind in {ReportKind.REGIONAL_PDF, ReportKind.REGIONAL_XLSX}
    if regional:
        office_ids = list(Office.objects.filter(regional_office_id=report.regional_office_id)
                          .values_list("pk", flat=True))
    else:
        office_ids = [report.office_id]
    figures = monthly_figures(office_ids, report.period_start.year, report.period_start.month,
                              regional=regional)
    return figures, office_ids, regional


def _title(regional: bool) -> str:
    return _("Regional monthly report") if regional else _("Monthly report")


def _monthly_charts(figures: MonthlyFigures, office_ids: list[int]) -> dict:
    by_program = figures.end_by_program()
    programs = charts.bar_chart(
        [PROGRAM_SHORT[Program(program)] for program, _a, _c in by_program],
        [charts.Series(_("Adult"), [a for _p, a, _c in by_program], charts.PALETTE[0]),
         charts.Series(_("Child"), [c for _p, _a, c in by_program], charts.PALETTE[1])],
        title=_("Clients under supervision at the end of the month, by program"),
    )
    trend = attendance_trend(office_ids, figures.year, figures.month)
    attendance = charts.line_chart(
        [f"{MONTHS_ID[day.month - 1][:3]} {day.year % 100:02d}" for day, _rate in trend],
        [value for _day, value in trend],
        title=_("Attendance rate over the last 12 months"),
    )
    services = charts.hbar_chart(
        [(row.name, row.sessions) for row in figures.partners if row.sessions][:15],
        title=_("Service sessions per partner"),
    ) if any(row.sessions for row in figures.partners) else ""
    return {"chart_programs": programs, "chart_attendance": attendance,
            "chart_services": services, "trend": trend}


def render_monthly_pdf(report: GeneratedReport) -> bytes:
    figures, office_ids, regional = _monthly_figures(report)
    issuer = RegionalIssuer(report.regional_office) if regional else report.office
    today = timezone.localdate()
    context = {
        "report": report,
        "figures": figures,
        "regional": regional,
        "issuer_name": issuer.name,
        "title": _title(regional),
        "period_label": period_label(figures.year, figures.month),
        "provisional": figures.last_day >= today,
        "sections": [(section, figures.section_rows(section),
                      figures.totals_by_section()[section]) for section in SECTIONS],
        "totals": figures.totals(),
        "partner_totals": figures.partner_totals(),
        "signature_date": today,
        "generated_at": timezone.localtime(),
        **_monthly_charts(figures, office_ids),
        **_verification(report),
    }
    if not regional:
        context["signer"] = {
            "role": _("Head of %(office)s") % {"office": report.office.name},
            "name": report.office.head_name, "nip": report.office.head_nip,
        }
    return render_pdf("reports/pdf/monthly.html", context, office=issuer,
                      title=f"{_title(regional)} {context['period_label']}")


def render_monthly_xlsx(report: GeneratedReport) -> bytes:
    figures, _office_ids, regional = _monthly_figures(report)
    issuer = report.regional_office.name if regional else report.office.name
    title = f"{_title(regional)} {period_label(figures.year, figures.month)}"
    return build_workbook(figures, title=title, issuer=issuer, regional=regional)


# --- Client documents ------------------------------------------------------------------------

def _people(report: GeneratedReport, office) -> dict:
    """The signers recorded when the document was requested (see services)."""
    ids = [report.parameters.get("signer_id"), report.parameters.get("acknowledger_id")]
    found = {user.pk: user for user in User.objects.filter(pk__in=[i for i in ids if i])}
    acknowledger = found.get(ids[1])
    if acknowledger is not None and acknowledger.role == Role.HEAD:
        acknowledger_role = _("Head of %(office)s") % {"office": office.name}
    else:
        acknowledger_role = _("Head of the Client Guidance Section")
    return {
        "signer": found.get(ids[0]),
        "signer_role": _("Probation officer (Pembimbing Kemasyarakatan)"),
        "acknowledger": acknowledger,
        "acknowledger_role": acknowledger_role,
        "head_role": _("Head of %(office)s") % {"office": office.name},
    }


def _client_context(report: GeneratedReport) -> dict:
    order = (SupervisionOrder.objects.select_related(
        "client", "client__office", "client__village", "client__district", "client__regency",
        "client__province", "assigned_pk",
    ).get(pk=report.order_id))
    office = order.client.office
    return {"report": report, "order": order, "client": order.client, "office": office,
            "today": timezone.localdate(), **_people(report, office), **_verification(report)}


def progress_contacts(order, first: date, last: date):
    start, end = day_range(first, last)
    return (Contact.objects.filter(order=order, cancelled_at__isnull=True,
                                   planned_at__gte=start, planned_at__lte=end)
            .select_related("officer").order_by("planned_at", "id"))


def progress_referrals(order, first: date, last: date):
    """Referrals sent before the period ended and not closed before it began, with the
    period's sessions, their goals and the end-of-service report."""
    start, end = day_range(first, last)
    sessions = ServiceSession.objects.filter(date__gte=first, date__lte=last).order_by("date",
                                                                                          "id")
    return (Referral.objects.filter(order=order, sent_at__isnull=False, sent_at__lte=end)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
            .select_related("partner", "service", "report")
            .prefetch_related("goals", Prefetch("sessions", queryset=sessions,
                                                to_attr="period_sessions"))
            .order_by("sent_at", "id"))


def render_progress(report: GeneratedReport) -> bytes:
    context = _client_context(report)
    order = context["order"]
    first, last = report.period_start, report.period_end
    contacts = list(progress_contacts(order, first, last))
    summary = ContactFigures()
    for contact in contacts:
        summary.add(contact.kind, contact.outcome)
    referrals = list(progress_referrals(order, first, last))
    context.update({
        "contacts": contacts,
        "summary": summary,
        "referrals": referrals,
        "stage_label": _stage_label(order, last),
        "evaluation": report.parameters.get("evaluation", ""),
        "recommendation": report.parameters.get("recommendation", ""),
        "period_first": first,
        "period_last": last,
    })
    return render_pdf("reports/pdf/progress.html", context, office=context["office"],
                      confidential=True, title=_("Client progress report"))


def _stage_label(order, day: date) -> str:
    return str(Stage(order.stage_on(min(day, order.supervision_end))).label)


def render_guidance_card(report: GeneratedReport) -> bytes:
    context = _client_context(report)
    order = context["order"]
    today = timezone.localdate()
    planned = list(
        Contact.objects.filter(order=order, cancelled_at__isnull=True,
                               kind__in=[ContactKind.REPORT, ContactKind.REMOTE_REPORT],
                               planned_at__gte=day_range(today, today)[0])
        .order_by("planned_at")[:GUIDANCE_CARD_MIN_ROWS * 2]
    )
    blank_rows = max(GUIDANCE_CARD_MIN_ROWS - len(planned), 0)
    context.update({
        "planned": planned,
        "blank_rows": range(blank_rows),
        "interval_days": ReportingInterval.days_for(order.client.office, order.risk_level),
        "photo_uri": _photo_data_uri(order.client),
    })
    return render_pdf("reports/pdf/guidance_card.html", context, office=context["office"],
                      title=_("Guidance card"))


def render_guidance_contract(report: GeneratedReport) -> bytes:
    context = _client_context(report)
    order = context["order"]
    context.update({
        "interval_days": ReportingInterval.days_for(order.client.office, order.risk_level),
        "special_conditions": [line.strip() for line in order.special_conditions.splitlines()
                               if line.strip()],
    })
    return render_pdf("reports/pdf/guidance_contract.html", context, office=context["office"],
                      title=_("Guidance contract"))


def _photo_data_uri(client) -> str:
    """The client's photo inlined (private storage is not a fetchable URL)."""
    import base64
    import mimetypes

    if not client.photo:
        return ""
    content_type = mimetypes.guess_type(client.photo.name)[0] or ""
    if content_type not in {"image/jpeg", "image/png", "image/webp", "image/gif"}:
        return ""
    try:
        with client.photo.open("rb") as handle:
            data = handle.read()
    except OSError:
        return ""
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


RENDERERS: dict[str, Callable[[GeneratedReport], bytes]] = {
    ReportKind.MONTHLY_PDF: render_monthly_pdf,
    ReportKind.REGIONAL_PDF: render_monthly_pdf,
    ReportKind.MONTHLY_XLSX: render_monthly_xlsx,
    ReportKind.REGIONAL_XLSX: render_monthly_xlsx,
    ReportKind.PROGRESS: render_progress,
    ReportKind.GUIDANCE_CARD: render_guidance_card,
    ReportKind.GUIDANCE_CONTRACT: render_guidance_contract,
}


def render_document(report: GeneratedReport, *, language: str | None = None) -> bytes:
    """The bytes of the report, in the documents' language (Indonesian by default)."""
    from django.conf import settings

    with override(language or settings.LANGUAGE_CODE):
        return RENDERERS[report.kind](report)

