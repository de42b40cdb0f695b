"""XLSX/CSV export of the meeting list, with the list page's tab and filters applied.

Included from ``meetings/urls.py`` with ``*views_export.urlpatterns``.
Scoped by ``Meeting.objects.for_user`` like the page (partner staff: the meetings they or their
organisation are invited to) and recorded in the access log.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from bapas.exports import Column, check_format, export_response
from bapas.roles import capability_required

from .forms import MeetingFilterForm
from .models import Invitation, Meeting
from .views.lists import _filter_partners


def meeting_rows(request):
    """The list page's meetings: ``tab`` upcoming (default), past or all, and its filters."""
    user = request.user
    rows = Meeting.objects.for_user(user)
    form = MeetingFilterForm(request.GET or None, partners=_filter_partners(user))
    if form.is_valid():
        if form.cleaned_data["kind"]:
            rows = rows.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["partner"]:
            rows = rows.filter(partners=form.cleaned_data["partner"])
        if form.cleaned_data["month"]:
            year, month = form.cleaned_data["month"]
            rows = rows.filter(starts_at__year=year, starts_at__month=month)
    tab = request.GET.get("tab")
    if tab == "past":
        rows = rows.past().order_by("-starts_at", "-id")
    elif tab == "all":
        rows = rows.order_by("-starts_at", "-id")
    else:
        rows = rows.upcoming().order_by("starts_at", "id")
    return (
        rows.select_related("office", "chair")
        .prefetch_related("partners")
        .annotate(
            invited_count=Count("invitations", distinct=True),
            confirmed_count=Count(
                "invitations", filter=Q(invitations__response=Invitation.Response.CONFIRMED),
                distinct=True,
            ),
        )
    )


@never_cache
@login_required
@capability_required("meetings.view")
def meetings_export(request, fmt: str):
    check_format(fmt)
    columns = [
        Column(_("Starts"), "starts_at"),
        Column(_("Ends"), "ends_at"),
        Column(_("Title"), "title"),
        Column(_("Type"), "get_kind_display"),
        Column(_("Letter number"), "number"),
        Column(_("Organising office"), "office.name"),
        Column(_("Place"), "place"),
        Column(_("Online meeting link"), "online_link"),
        Column(_("Chaired by"), "chair.full_name"),
        Column(_("Invited organisations"),
               lambda m: ", ".join(p.name for p in m.partners.all())),
        Column(_("Invited"), "invited_count"),
        Column(_("Confirmed"), "confirmed_count"),
        Column(_("Cancelled"), "cancelled_at"),
    ]
    return export_response(
        meeting_rows(request), columns, _("meetings"), fmt, request=request,
        label=_("Meeting list"), office_id=request.user.office_id,
    )


urlpatterns = [
    path("export.<str:fmt>", meetings_export, name="export"),
]
