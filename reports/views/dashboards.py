"""Each role's home page. Roles without a dashboard (operator, administrator) keep the site's
start page (``bapas.views.home``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache

from bapas.models import Role
from bapas.views.home import home

from .. import dashboards

TEMPLATES = {
    Role.PK: ("reports/dashboards/pk.html", dashboards.pk_dashboard),
    Role.SUPERVISOR: ("reports/dashboards/office.html", dashboards.office_dashboard),
    Role.HEAD: ("reports/dashboards/office.html", dashboards.office_dashboard),
    Role.PARTNER: ("reports/dashboards/partner.html", dashboards.partner_dashboard),
    Role.REGIONAL: ("reports/dashboards/regional.html", dashboards.regional_dashboard),
}


@login_required
@never_cache
def dashboard(request, fallback=None):
    """The role's dashboard; ``fallback`` (the site's start page) for the other roles and for
    accounts not yet placed in an office, partner or region."""
    user = request.user
    entry = None if user.is_superuser else TEMPLATES.get(user.role)
    placed = {
        Role.PK: user.office_id, Role.SUPERVISOR: user.office_id, Role.HEAD: user.office_id,
        Role.PARTNER: user.partner_id, Role.REGIONAL: user.regional_office_id,
    }.get(user.role)
    if entry is None or not placed:
        return (fallback or home)(request)
    template, build = entry
    return render(request, template, build(user))


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
]
