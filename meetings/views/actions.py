"""Action items: added at the meeting, closed by their owner; each owner's list, overdue first."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from bapas.roles import capability_required
from bapas.scoping import get_scoped_or_404

from ..forms import ActionItemForm, ActionUpdateForm
from ..models import ActionItem, Meeting
from ..selectors import can_manage, can_update_action
from ..services import action_item_create, action_item_update
from .common import add_service_errors, managed_meeting

PAGE_SIZE = 25


@login_required
@capability_required("meetings.manage")
@never_cache
def action_create(request, pk: int):
    meeting = managed_meeting(request, pk)
    form = ActionItemForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            action_item_create(
                meeting=meeting, description=form.cleaned_data["description"],
                owner_user=form.cleaned_data["owner_user"],
                owner_partner=form.cleaned_data["owner_partner"],
                due_date=form.cleaned_data["due_date"], by=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "owner_user" in exc.error_dict:
                exc.error_dict["owner"] = exc.error_dict.pop("owner_user")
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The action item has been added."))
            return redirect(f"{meeting.get_absolute_url()}#actions")
    return render(request, "meetings/small_form.html", {
        "meeting": meeting, "form": form, "heading": _("New action item"),
        "action": request.path, "submit": _("Add"),
    })


def _visible_item(request, pk: int) -> ActionItem:
    """Items of meetings the user sees, plus partner staff's own and organisation's items."""
    user = request.user
    visible_meetings = Meeting.objects.for_user(user)
    queryset = (ActionItem.objects.filter(meeting__in=visible_meetings)
                | ActionItem.objects.for_user(user))
    return get_scoped_or_404(
        queryset.select_related("meeting__office", "owner_user", "owner_partner"), pk=pk
    )


@login_required
@capability_required("meetings.view")
@never_cache
def action_update(request, pk: int):
    item = _visible_item(request, pk)
    user = request.user
    if not can_update_action(user, item):
        raise PermissionDenied
    may_cancel = can_manage(user, item.meeting)
    form = ActionUpdateForm(request.POST or None, may_cancel=may_cancel, initial={
        "status": ActionItem.Status.DONE if item.status == ActionItem.Status.OPEN
        else item.status,
        "completion_note": item.completion_note,
    })
    if request.method == "POST" and form.is_valid():
        try:
            action_item_update(item=item, status=form.cleaned_data["status"],
                               completion_note=form.cleaned_data["completion_note"], by=user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The action item has been updated."))
            next_url = request.POST.get("next", "")
            if next_url == "my_actions":
                return redirect("meetings:my_actions")
            return redirect(f"{item.meeting.get_absolute_url()}#actions")
    return render(request, "meetings/action_update.html", {
        "item": item, "form": form, "meeting": item.meeting,
        "next": request.GET.get("next", request.POST.get("next", "")),
    })


@login_required
@capability_required("meetings.view")
@never_cache
def my_actions(request):
    """Each owner's items: open ones, overdue first. Managers may list the whole office's."""
    user = request.user
    scope = "office" if request.GET.get("scope") == "office" and user.is_manager else "mine"
    show = "closed" if request.GET.get("show") == "closed" else "open"
    if scope == "office":
        items = ActionItem.objects.for_user(user)
    else:
        items = ActionItem.objects.for_user(user).owned_by(user)
    if show == "open":
        items = items.open().overdue_first()
    else:
        items = items.exclude(status=ActionItem.Status.OPEN).order_by("-completed_at", "-id")
    items = items.select_related("meeting", "owner_user", "owner_partner", "completed_by")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "meetings/my_actions.html", {
        "page": page, "scope": scope, "show": show, "today": timezone.localdate(),
    })
