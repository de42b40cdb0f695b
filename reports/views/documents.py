"""Office and regional reports: request, list, follow the status, download, regenerate.

Reports are fetched only through ``GeneratedReport.objects.for_user``: another office's report,
or a kind the user may not see, is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bapas.audit import log_access
from bapas.models import AccessLog, RegionalOffice, Role
from bapas.roles import can, capability_required, refusal
from bapas.scoping import get_scoped_or_404, offices_for

from ..forms import MonthForm
from ..models import CLIENT_KINDS, REGIONAL_KINDS, GeneratedReport, ReportKind
from ..services import (
    monthly_reports_request,
    regional_reports_request,
    report_regenerate,
)

PAGE_SIZE = 25
OFFICE_KINDS = (ReportKind.MONTHLY_PDF, ReportKind.MONTHLY_XLSX)
# Download names, in the reader's language (the stored name never carries a client's name).
DOWNLOAD_STEMS = {
    ReportKind.MONTHLY_PDF: "laporan-bulanan",
    ReportKind.MONTHLY_XLSX: "laporan-bulanan",
    ReportKind.REGIONAL_PDF: "laporan-bulanan-wilayah",
    ReportKind.REGIONAL_XLSX: "laporan-bulanan-wilayah",
    ReportKind.PROGRESS: "laporan-perkembangan",
    ReportKind.GUIDANCE_CARD: "kartu-bimbingan",
    ReportKind.GUIDANCE_CONTRACT: "kontrak-bimbingan",
}


def _reports(request):
    return GeneratedReport.objects.for_user(request.user).select_related(
        "office", "regional_office", "requested_by", "client"
    )


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def may_regenerate(user, report: GeneratedReport) -> bool:
    if report.kind in REGIONAL_KINDS:
        return can(user, "reports.regional")
    if report.kind == ReportKind.PROGRESS:
        return can(user, "clients.casework")
    if report.kind in CLIENT_KINDS:
        return can(user, "clients.register")
    return can(user, "reports.office")


@login_required
def index(request):
    """Monthly office reports: generate one, and every version generated so far. A regional
    viewer (who has no office) gets the regional reports here."""
    user = request.user
    if not can(user, "reports.office"):
        if can(user, "reports.regional"):
            return regional(request)
        raise refusal(user)
    offices = offices_for(user).filter(is_active=True).order_by("name")
    form = MonthForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        office = _chosen(offices, request.POST.get("office"), default=user.office_id)
        if office is None:
            form.add_error(None, ValidationError(_("Choose one of the offices listed."),
                                                 code="invalid_choice"))
        if form.is_valid():
            year, month = form.cleaned_data["month"]
            try:
                monthly_reports_request(office=office, year=year, month=month, by=user)
            except ValidationError as error:
                form.add_error("month", error)
            else:
                messages.success(request, _("The monthly report of %(office)s is being "
                                            "generated. This page shows when it is ready.")
                                 % {"office": office.name})
                return redirect("reports:index")
    qs = _reports(request).filter(kind__in=OFFICE_KINDS)
    return render(request, "reports/index.html", {
        "form": form, "page": _page(request, qs), "offices": offices,
        "choose_office": user.role == Role.ADMIN or user.is_superuser,
        "selected_office": request.POST.get("office", ""),
        "mode": "office",
    })


@login_required
@capability_required("reports.regional")
def regional(request):
    """Regional reports (aggregated over a Kanwil's offices, no personal data)."""
    user = request.user
    if user.role == Role.REGIONAL:
        regions = RegionalOffice.objects.filter(pk=user.regional_office_id)
    else:
        regions = RegionalOffice.objects.order_by("name")
    form = MonthForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        region = _chosen(regions, request.POST.get("regional_office"),
                         default=user.regional_office_id)
        if region is None:
            form.add_error(None, ValidationError(
                _("Choose one of the regional offices listed."), code="invalid_choice"))
        if form.is_valid():
            year, month = form.cleaned_data["month"]
            try:
                regional_reports_request(regional_office=region, year=year, month=month,
                                         by=user)
            except ValidationError as error:
                form.add_error("month", error)
            else:
                messages.success(request, _("The regional report of %(region)s is being "
                                            "generated. This page shows when it is ready.")
                                 % {"region": region.name})
                return redirect("reports:regional")
    qs = _reports(request).filter(kind__in=REGIONAL_KINDS)
    return render(request, "reports/index.html", {
        "form": form, "page": _page(request, qs), "regions": regions,
        "choose_region": user.role != Role.REGIONAL,
        "selected_region": request.POST.get("regional_office", ""),
        "mode": "regional",
    })


def _chosen(queryset, value, *, default):
    """The office (or region) named in the form, only among those the user may use; None for
    anything else (junk, an unknown id, another office's): the form says so, the same way for
    each, so the answer tells nothing about other offices."""
    chosen = value or default
    if not chosen or not str(chosen).isdigit():
        return None
    return queryset.filter(pk=chosen).first()


@login_required
@never_cache
def detail(request, pk: int):
    report = get_scoped_or_404(_reports(request).select_related("order"), pk=pk)
    if report.is_client_document:
        log_access(request, report.client, AccessLog.Action.VIEW, office_id=report.office_id,
                   label=f"{report.client} · {report.get_kind_display()}")
    versions = list(report.versions().select_related("requested_by"))
    return render(request, "reports/detail.html", {
        "report": report,
        "versions": versions,
        "version_number": next((i for i, v in enumerate(versions, 1) if v.pk == report.pk), 1),
        "may_regenerate": may_regenerate(request.user, report),
        "back_url": _back_url(report),
    })


def _back_url(report: GeneratedReport) -> str:
    if report.is_client_document:
        url = reverse("reports:progress", args=[report.client_id])
        return f"{url}?order={report.order_id}" if report.order_id else url
    return reverse("reports:regional" if report.is_regional else "reports:index")


@login_required
@never_cache
def status(request, pk: int):
    """The status fragment that htmx polls every 2 s until the report is ready or failed."""
    report = get_scoped_or_404(_reports(request), pk=pk)
    if not request.htmx:
        return redirect(report)
    template = "reports/_status_row.html" if request.GET.get("row") else "reports/_status.html"
    return render(request, template, {"report": report})


@login_required
@never_cache
def download(request, pk: int):
    report = get_scoped_or_404(_reports(request), pk=pk)
    if not report.is_ready:
        raise Http404
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    subject = report.client.register_number if report.client_id else report.issuer_name
    log_access(request, report, AccessLog.Action.DOWNLOAD,
               label=f"{report.get_kind_display()} · {subject} · {report.period_start:%m/%Y}")
    period = f"{report.period_start:%Y-%m}"
    if report.period_end.strftime("%Y-%m") != period:
        period += f"_{report.period_end:%Y-%m}"
    filename = f"{DOWNLOAD_STEMS[report.kind]}-{slugify(subject)[:60]}-{period}.{report.extension}"
    return FileResponse(handle, as_attachment=True, filename=filename,
                        content_type=report.content_type)


@login_required
@require_POST
def regenerate(request, pk: int):
    report = get_scoped_or_404(_reports(request), pk=pk)
    if not may_regenerate(request.user, report):
        raise PermissionDenied
    if report.is_client_document:
        # The client must still be visible through the clients app's own scoping.
        from clients.models import Client

        get_scoped_or_404(Client.objects.for_user(request.user), pk=report.client_id)
    copy = report_regenerate(report=report, by=request.user)
    messages.success(request, _("A new version is being generated; the earlier versions are "
                                "kept."))
    return redirect(copy)


urlpatterns = [
    path("", index, name="index"),
    path("regional/", regional, name="regional"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/status/", status, name="status"),
    path("<int:pk>/download/", download, name="download"),
    path("<int:pk>/regenerate/", regenerate, name="regenerate"),
]
