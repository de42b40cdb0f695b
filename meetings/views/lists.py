"""The meeting list: upcoming and past, filtered by type, organisation and month."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import render

from bapas.roles import can, capability_required

from ..forms import MeetingFilterForm
from ..models import Invitation, Meeting

PAGE_SIZE = 25


def _filter_partners(user):
    from partners.models import Partner

    if user.is_partner_staff:
        return Partner.objects.none()  # partner staff only see their own organisation's
    if user.office_id:
        return Partner.objects.filter(offices=user.office_id).distinct().order_by("name")
    return Partner.objects.for_user(user).order_by("name")


@login_required
@capability_required("meetings.view")
def meeting_list(request):
    user = request.user
    tab = "past" if request.GET.get("tab") == "past" else "upcoming"
    visible = Meeting.objects.for_user(user)
    form = MeetingFilterForm(request.GET or None, partners=_filter_partners(user))
    filtered = visible
    if form.is_valid():
        if form.cleaned_data["kind"]:
            filtered = filtered.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["partner"]:
            filtered = filtered.filter(partners=form.cleaned_data["partner"])
        if form.cleaned_data["month"]:
            year, month = form.cleaned_data["month"]
            filtered = filtered.filter(starts_at__year=year, starts_at__month=month)
    counts = {"upcoming": filtered.upcoming().count(), "past": filtered.past().count()}
    if tab == "past":
        rows = filtered.past().order_by("-starts_at", "-id")
    else:
        rows = filtered.upcoming().order_by("starts_at", "id")
    my_answer = Invitation.objects.filter(meeting=OuterRef("pk"), user=user).values("response")
    rows = (
        rows.select_related("office")
        .prefetch_related("partners")
        .annotate(
            invited_count=Count("invitations", distinct=True),
            confirmed_count=Count(
                "invitations", filter=Q(invitations__response=Invitation.Response.CONFIRMED),
                distinct=True,
            ),
            my_response=Subquery(my_answer[:1]),
        )
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "meetings/list.html", {
        "page": page,
        "tab": tab,
        "counts": counts,
        "form": form,
        "can_create": can(user, "meetings.manage") and bool(user.office_id),
        "show_office": user.office_id is None and not user.is_partner_staff,
        "responses": dict(Invitation.Response.choices),
    })
