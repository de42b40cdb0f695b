"""The service catalogue: administrators keep the list of services partners can offer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from bapas.scoping import get_scoped_or_404

from ..forms import ServiceForm
from ..models import Service
from .common import officers_only

# "offices.manage" is the administrators' capability (reference lists belong to them).
ADMIN_CAPABILITY = "offices.manage"


@login_required
@officers_only(ADMIN_CAPABILITY)
def service_list(request):
    services = Service.objects.annotate(
        partner_count=Count("partners", distinct=True),
        referral_count=Count("referrals", distinct=True),
    ).order_by("-is_active", "name")
    return render(request, "partners/services.html", {"services": services})


def _save(request, service: Service | None):
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("The service %(name)s has been saved.") % {"name": saved})
        return redirect("partners:services")
    return render(request, "partners/service_form.html", {"form": form, "service": service})


@login_required
@officers_only(ADMIN_CAPABILITY)
def service_create(request):
    return _save(request, None)


@login_required
@officers_only(ADMIN_CAPABILITY)
def service_edit(request, pk: int):
    return _save(request, get_scoped_or_404(Service.objects.all(), pk=pk))


urlpatterns = [
    path("services/", service_list, name="services"),
    path("services/new/", service_create, name="service_create"),
    path("services/<int:pk>/", service_edit, name="service_edit"),
]
