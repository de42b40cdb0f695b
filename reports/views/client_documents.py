"""A client's printable documents: the progress report, the guidance card and contract.

Only users who may open the client (``Client.objects.for_user``) reach these pages; anyone else
gets a 404. The documents are rendered at once and stored like every other report.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bapas.audit import log_access
from bapas.models import AccessLog
from bapas.roles import can, capability_required
from bapas.scoping import get_scoped_or_404
from clients.models import Client, OrderStatus, SupervisionOrder

from ..forms import ProgressReportForm
from ..models import CLIENT_KINDS, GeneratedReport, ReportKind, ReportStatus
from ..services import client_document_request

PAGE_SIZE = 25


def _client_and_order(request, client_pk: int):
    client = get_scoped_or_404(Client.objects.for_user(request.user).select_related("office"),
                               pk=client_pk)
    orders = list(SupervisionOrder.objects.for_user(request.user).filter(client=client)
                  .select_related("assigned_pk").order_by("-supervision_start", "-id"))
    if not orders:
        raise Http404
    wanted = request.POST.get("order") or request.GET.get("order")
    if wanted:
        order = next((o for o in orders if str(o.pk) == str(wanted)), None)
        if order is None:
            raise Http404
    else:
        order = next((o for o in orders if o.status == OrderStatus.ACTIVE), orders[0])
    return client, orders, order


def _render(request, client, orders, order, form, status: int = 200):
    documents = (GeneratedReport.objects.for_user(request.user)
                 .filter(client=client, kind__in=CLIENT_KINDS)
                 .select_related("requested_by", "order"))
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/client_documents.html", {
        "client": client, "orders": orders, "order": order, "form": form, "page": page,
        "may_write_progress": can(request.user, "clients.casework"),
        "may_print_card": can(request.user, "clients.register"),
    }, status=status)


@login_required
@capability_required("clients.view")
@never_cache
def progress(request, client_pk: int):
    """Write the period's evaluation and recommendation, then print the progress report."""
    client, orders, order = _client_and_order(request, client_pk)
    form = ProgressReportForm(request.POST or None, order=order)
    if request.method == "POST":
        if not can(request.user, "clients.casework"):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = client_document_request(
                    kind=ReportKind.PROGRESS, order=order, by=request.user,
                    period_start=data["period_start"], period_end=data["period_end"],
                    evaluation=data["evaluation"], recommendation=data["recommendation"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                _announce(request, report)
                return redirect(report)
        return _render(request, client, orders, order, form)
    log_access(request, client, AccessLog.Action.VIEW, office_id=client.office_id,
               label=f"{client} · {_('documents')}")
    return _render(request, client, orders, order, form)


def _announce(request, report: GeneratedReport) -> None:
    if report.status == ReportStatus.READY:
        messages.success(request, _("The document is ready to download."))
    else:
        messages.error(request, _("The document could not be generated."))


def _print(kind: str):
    @login_required
    @capability_required("clients.register")
    @require_POST
    def view(request, client_pk: int):
        _client, _orders, order = _client_and_order(request, client_pk)
        report = client_document_request(kind=kind, order=order, by=request.user)
        _announce(request, report)
        return redirect(report)

    view.__name__ = f"print_{kind}"
    return view


guidance_card = _print(ReportKind.GUIDANCE_CARD)
guidance_contract = _print(ReportKind.GUIDANCE_CONTRACT)

urlpatterns = [
    path("clients/<int:client_pk>/progress/", progress, name="progress"),
    path("clients/<int:client_pk>/guidance-card/", guidance_card, name="guidance_card"),
    path("clients/<int:client_pk>/guidance-contract/", guidance_contract,
         name="guidance_contract"),
]
