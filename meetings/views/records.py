"""What happened at a meeting: attendance, minutes and decisions, attachments, clients discussed."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bapas.audit import log_access
from bapas.models import AccessLog
from bapas.roles import capability_required
from bapas.scoping import get_scoped_or_404

from ..forms import (
    AttachmentForm,
    AttendanceForm,
    DecisionFormSet,
    LinkClientForm,
    MinutesForm,
    WalkInFormSet,
)
from ..models import Attachment, Meeting, MeetingClient
from ..selectors import is_office_staff
from ..services import (
    WalkIn,
    attachment_add,
    attachment_delete,
    attendance_record,
    meeting_link_client,
    meeting_unlink_client,
    minutes_save,
)
from .common import add_service_errors, managed_meeting


@login_required
@capability_required("meetings.manage")
@never_cache
def attendance(request, pk: int):
    meeting = managed_meeting(request, pk)
    invitations = list(meeting.invitations.select_related("user__partner"))
    rows = list(meeting.attendance.all())
    walk_ins = [row for row in rows if row.user_id is None]
    present_ids = [str(row.user_id) for row in rows if row.user_id and row.present]
    form = AttendanceForm(
        request.POST or None, meeting=meeting, invitations=invitations, walk_ins=walk_ins,
        initial={"present": present_ids, "keep_walk_ins": [str(row.pk) for row in walk_ins]},
    )
    new_walk_ins = WalkInFormSet(request.POST or None, prefix="walkin")
    if not meeting.has_started_day and request.method != "POST":
        messages.warning(request, _(
            "This meeting has not taken place yet: attendance can be recorded from its day on."
        ))
    if request.method == "POST" and form.is_valid() and new_walk_ins.is_valid():
        try:
            attendance_record(
                meeting=meeting,
                present_user_ids=form.cleaned_data["present"],
                keep_walk_in_ids=form.cleaned_data["keep_walk_ins"],
                walk_ins=[
                    WalkIn(name=row["name"], organisation=row.get("organisation", ""),
                           position=row.get("position", ""))
                    for row in new_walk_ins.cleaned_data if row.get("name", "").strip()
                ],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Attendance has been saved."))
            return redirect(meeting)
    return render(request, "meetings/attendance.html", {
        "meeting": meeting, "form": form, "walk_in_formset": new_walk_ins,
        "invitations": invitations, "walk_ins": walk_ins,
    })


@login_required
@capability_required("meetings.manage")
@never_cache
def minutes(request, pk: int):
    meeting = managed_meeting(request, pk)
    form = MinutesForm(request.POST or None, office=meeting.office, initial={
        "chair": meeting.chair_id, "minutes_taker": meeting.minutes_taker_id or request.user.pk,
        "minutes": meeting.minutes,
    })
    decisions = DecisionFormSet(
        request.POST or None, prefix="decision",
        initial=[{"text": row.text} for row in meeting.decisions.all()],
    )
    if request.method == "POST" and form.is_valid() and decisions.is_valid():
        try:
            minutes_save(
                meeting=meeting, minutes=form.cleaned_data["minutes"],
                decisions=[row.get("text", "") for row in decisions.cleaned_data],
                chair=form.cleaned_data["chair"],
                minutes_taker=form.cleaned_data["minutes_taker"], by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The minutes have been saved."))
            return redirect(meeting)
    return render(request, "meetings/minutes_form.html", {
        "meeting": meeting, "form": form, "decisions": decisions,
    })


# --- Attachments ---------------------------------------------------------------------------

@login_required
@capability_required("meetings.manage")
@never_cache
def attachment_upload(request, pk: int):
    meeting = managed_meeting(request, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachment_add(
                meeting=meeting, upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                shared_with_partners=form.cleaned_data["shared_with_partners"], by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The file has been attached."))
            return redirect(meeting)
    return render(request, "meetings/small_form.html", {
        "meeting": meeting, "form": form, "multipart": True,
        "heading": _("Attach a photo or document"),
        "action": request.path, "submit": _("Upload"),
    })


def _visible_attachment(request, pk: int) -> Attachment:
    visible_meetings = Meeting.objects.for_user(request.user)
    attachment = get_scoped_or_404(
        Attachment.objects.filter(meeting__in=visible_meetings).select_related("meeting"),
        pk=pk,
    )
    if not is_office_staff(request.user, attachment.meeting) and not (
        attachment.shared_with_partners
    ):
        raise Http404
    return attachment


@login_required
@capability_required("meetings.view")
@never_cache
def attachment_download(request, pk: int):
    attachment = _visible_attachment(request, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    log_access(request, attachment, AccessLog.Action.DOWNLOAD,
               office_id=attachment.meeting.office_id,
               label=f"{attachment.meeting.title} · {attachment.title}")
    extension = Path(attachment.file.name).suffix.lower()
    filename = f"{slugify(attachment.title)[:80] or 'lampiran'}{extension}"
    return FileResponse(
        handle, as_attachment=not attachment.is_image, filename=filename,
        content_type=attachment.content_type or "application/octet-stream",
    )


@login_required
@capability_required("meetings.manage")
@require_POST
def attachment_remove(request, pk: int):
    attachment = _visible_attachment(request, pk)
    meeting = managed_meeting(request, attachment.meeting_id)
    attachment_delete(attachment=attachment, by=request.user)
    messages.success(request, _("The attachment has been removed."))
    return redirect(meeting)


# --- Clients discussed ---------------------------------------------------------------------

def linkable_clients(user):
    from clients.models import Client

    return Client.objects.for_user(user).order_by("full_name")


@login_required
@capability_required("meetings.manage")
@never_cache
def link_client(request, pk: int):
    meeting = managed_meeting(request, pk)
    clients = linkable_clients(request.user).filter(office=meeting.office)
    form = LinkClientForm(request.POST or None, clients=clients)
    if request.method == "POST" and form.is_valid():
        try:
            link = meeting_link_client(meeting=meeting, client=form.cleaned_data["client"],
                                       note=form.cleaned_data["note"], by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is on the meeting's list of clients.")
                             % {"name": link.client.full_name})
            return redirect(meeting)
    return render(request, "meetings/small_form.html", {
        "meeting": meeting, "form": form, "heading": _("Add a client to discuss"),
        "action": request.path, "submit": _("Add"),
        "client_suggestions": clients.filter(orders__status="aktif").distinct()[:300],
    })


@login_required
@capability_required("meetings.manage")
@require_POST
def unlink_client(request, pk: int, link_pk: int):
    meeting = managed_meeting(request, pk)
    link = get_scoped_or_404(MeetingClient.objects.filter(meeting=meeting), pk=link_pk)
    try:
        meeting_unlink_client(link=link, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The client has been removed from the meeting."))
    return redirect(meeting)
