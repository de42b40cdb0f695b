"""Printables on the office letterhead: invitation (undangan), attendance sheet (daftar hadir),
minutes (notulen). Rendered by the shared ``reports.pdf`` service; every print is logged."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from bapas.audit import log_access
from bapas.models import AccessLog, Role
from bapas.roles import capability_required
from reports.pdf import document_language, render_pdf

from ..models import Invitation, Meeting
from ..selectors import is_office_staff, visible_linked_clients
from .common import visible_meeting

BLANK_ROWS_DEFAULT = 10
BLANK_ROWS_MAX = 60
ADDRESSEES_ON_FIRST_PAGE = 4


def head_of_office(office) -> dict:
    """The signer of letters: the head recorded on the office, else the head's account."""
    name, nip = office.head_name, office.head_nip
    if not name:
        from bapas.models import User

        head = User.objects.filter(office=office, role=Role.HEAD, is_active=True).first()
        if head:
            name, nip = head.full_name, head.nip
    return {"name": name, "nip": nip, "role": _("Head of %(office)s") % {"office": office.name}}


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _filename(prefix: str, meeting: Meeting) -> str:
    return f"{prefix}-{slugify(meeting.title)[:60] or meeting.pk}-{meeting.day:%Y%m%d}.pdf"


def addressees(meeting: Meeting, invitations: list[Invitation]) -> list[str]:
    """Invited organisations, then invited people who do not belong to one of them."""
    partners = list(meeting.partners.all())
    partner_ids = {partner.pk for partner in partners}
    names = [partner.name for partner in partners]
    for invitation in invitations:
        user = invitation.user
        if user.partner_id in partner_ids:
            continue
        where = user.partner.name if user.partner_id else user.get_role_display()
        names.append(f"{user.full_name} ({where})")
    return names


def attendance_rows(meeting: Meeting, blank: int) -> list[dict]:
    """One row per invitee, one per organisation invited without a named person, then blanks."""
    rows = []
    represented = set()
    for invitation in meeting.invitations.select_related("user__partner", "user__office"):
        user = invitation.user
        if user.partner_id:
            represented.add(user.partner_id)
            where = user.partner.name
        else:
            where = user.office.name if user.office_id else ""
        rows.append({"name": user.full_name, "organisation": where,
                     "position": "" if user.partner_id else user.get_role_display()})
    for partner in meeting.partners.all():
        if partner.pk not in represented:
            rows.append({"name": "", "organisation": partner.name, "position": ""})
    rows.extend({"name": "", "organisation": "", "position": ""} for _unused in range(blank))
    return rows


@login_required
@capability_required("meetings.view")
@never_cache
def invitation_pdf(request, pk: int):
    meeting = visible_meeting(request, pk)
    invitations = list(meeting.invitations.select_related("user__partner"))
    with document_language():
        names = addressees(meeting, invitations)
        pdf = render_pdf("meetings/pdf/invitation.html", {
            "meeting": meeting,
            "agenda_items": list(meeting.agenda_items.all()),
            "addressees": names,
            "addressees_attached": len(names) > ADDRESSEES_ON_FIRST_PAGE,
            "letter_date": meeting.letter_date or timezone.localdate(),
            "signer": head_of_office(meeting.office),
        }, office=meeting.office, request=request,
            title=_("Invitation: %(title)s") % {"title": meeting.title})
    log_access(request, meeting, AccessLog.Action.PRINT,
               label=f"{meeting.title} · {_('invitation')}")
    return _pdf_response(pdf, _filename("undangan", meeting))


@login_required
@capability_required("meetings.view")
@never_cache
def attendance_pdf(request, pk: int):
    meeting = visible_meeting(request, pk)
    if not is_office_staff(request.user, meeting):
        raise PermissionDenied
    try:
        blank = int(request.GET.get("blank", BLANK_ROWS_DEFAULT))
    except ValueError:
        blank = BLANK_ROWS_DEFAULT
    blank = max(0, min(blank, BLANK_ROWS_MAX))
    with document_language():
        rows = attendance_rows(meeting, blank)
        pdf = render_pdf("meetings/pdf/attendance.html", {"meeting": meeting, "rows": rows},
                         office=meeting.office, request=request,
                         title=_("Attendance sheet: %(title)s") % {"title": meeting.title})
    log_access(request, meeting, AccessLog.Action.PRINT,
               label=f"{meeting.title} · {_('attendance sheet')}")
    return _pdf_response(pdf, _filename("daftar-hadir", meeting))


@login_required
@capability_required("meetings.view")
@never_cache
def minutes_pdf(request, pk: int):
    meeting = visible_meeting(request, pk)
    office_staff = is_office_staff(request.user, meeting)
    linked = visible_linked_clients(meeting, request.user)
    revocations = []
    if office_staff:
        revocations = list(meeting.revocation_proposals.select_related(
            "order__client", "decided_by"
        ))
    present = [row for row in meeting.attendance.select_related("user__partner", "user__office")
               if row.present]
    with document_language():
        pdf = render_pdf("meetings/pdf/minutes.html", {
            "meeting": meeting,
            "agenda_items": list(meeting.agenda_items.all()),
            "decisions": list(meeting.decisions.all()),
            "actions": list(meeting.action_items.select_related("owner_user", "owner_partner")
                            .order_by("due_date", "id")),
            "linked_clients": linked,
            "revocations": revocations,
            "present": present,
            "partners": list(meeting.partners.all()),
        }, office=meeting.office, request=request,
            confidential=bool(linked or revocations),
            title=_("Minutes: %(title)s") % {"title": meeting.title})
    log_access(request, meeting, AccessLog.Action.PRINT,
               label=f"{meeting.title} · {_('minutes')}")
    return _pdf_response(pdf, _filename("notulen", meeting))
