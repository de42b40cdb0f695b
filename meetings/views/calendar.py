"""Calendar: the private feed URL (settings page and the feed itself) and one meeting's .ics."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from bapas.roles import capability_required

from .. import ical
from ..models import CalendarToken
from ..services import calendar_token_issue, calendar_token_revoke
from .common import visible_meeting

ICS_TYPE = "text/calendar; charset=utf-8"


def feed_url(token: CalendarToken) -> str:
    return f"{settings.SITE_URL}{reverse('meetings:calendar_feed', args=[token.token])}"


@login_required
@capability_required("meetings.view")
@never_cache
def calendar_settings(request):
    token = CalendarToken.objects.filter(user=request.user, revoked_at__isnull=True).first()
    url = feed_url(token) if token else ""
    return render(request, "meetings/calendar_settings.html", {
        "token": token,
        "feed_url": url,
        "webcal_url": url.replace("https://", "webcal://", 1).replace("http://", "webcal://", 1),
    })


@login_required
@capability_required("meetings.view")
@require_POST
def calendar_token_regenerate(request):
    had_one = CalendarToken.objects.filter(user=request.user, revoked_at__isnull=True).exists()
    calendar_token_issue(user=request.user)
    messages.success(
        request,
        _("A new calendar address has been made; the old one no longer works.") if had_one
        else _("Your calendar address is ready."),
    )
    return redirect("meetings:calendar_settings")


@login_required
@capability_required("meetings.view")
@require_POST
def calendar_token_revoke_view(request):
    if calendar_token_revoke(user=request.user):
        messages.success(request, _("Your calendar address has been switched off."))
    return redirect("meetings:calendar_settings")


@require_GET
@never_cache
def calendar_feed(request, token: str):
    """No login: calendar apps cannot log in. The secret token is the key; revoked ones 404."""
    row = (
        CalendarToken.objects.select_related("user")
        .filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if row is None:
        raise Http404
    # Record use at most hourly: calendar apps poll often.
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 3600:
        CalendarToken.objects.filter(pk=row.pk).update(last_used_at=now)
    response = HttpResponse(ical.user_feed(row.user), content_type=ICS_TYPE)
    response["Content-Disposition"] = 'inline; filename="bapas.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@capability_required("meetings.view")
@never_cache
def meeting_ics(request, pk: int):
    meeting = visible_meeting(request, pk)
    response = HttpResponse(ical.single_meeting(meeting), content_type=ICS_TYPE)
    filename = f"{slugify(meeting.title)[:60] or 'rapat'}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
