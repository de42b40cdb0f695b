"""What every partners view shares: who may reach the officer pages, file streaming, figures,
and the status buttons of a referral page (the officers' and the portal's)."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _

from bapas.models import Role
from bapas.roles import capability_required

from ..forms import ReasonForm
from ..models import Referral, ReferralStatus
from ..services import allowed_transitions, referral_transition

PAGE_SIZE = 25


def officers_only(capability: str) -> Callable:
    """Officer pages: partner staff get 404 (no hint that the page exists), others need the
    capability (403 otherwise)."""

    def decorator(view):
        checked = capability_required(capability)(view)

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role == Role.PARTNER:
                raise Http404
            return checked(request, *args, **kwargs)

        return wrapped

    return decorator


def partner_staff_only(view):
    """Portal pages: only active staff of an active partner organisation; 404 for everyone else."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if user.role != Role.PARTNER or not user.partner_id or not user.partner.is_active:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def stream_file(field_file, *, download_name: str = "", as_attachment: bool = False):
    """Stream a file from its (private) storage; 404 when it is missing on disk."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    name = download_name or Path(field_file.name).name
    content_type = mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=as_attachment, filename=name,
                            content_type=content_type)
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def split_action_errors(exc: ValidationError, reason_form) -> list[str]:
    """A refused status change: the reason's error goes next to its field, the rest on top."""
    reason_form.is_valid()
    errors: list[str] = []
    if hasattr(exc, "error_dict"):
        for field, field_errors in exc.error_dict.items():
            if field == "reason":
                for error in field_errors:
                    reason_form.add_error("reason", error)
            else:
                errors.extend(ValidationError(field_errors).messages)
    else:
        errors.extend(exc.messages)
    return errors


def action_buttons(user, referral: Referral, actions: dict, *, failed_action: str = "",
                   reason_form: ReasonForm | None = None) -> list[dict]:
    """The buttons of ``actions`` (status -> label, icon...) that ``user`` may press now, each
    with its reason form: the refused one keeps what was typed and its errors."""
    return [
        {"to": to, **actions[to],
         "form": reason_form if to == failed_action and reason_form else ReasonForm()}
        for to in allowed_transitions(user, referral) if to in actions
    ]


def take_action(request, referral: Referral, actions: dict,
                render_page: Callable[..., HttpResponse]) -> HttpResponse | None:
    """Make the status change a button of ``actions`` posted (``to``, with its ``reason``).

    A status that is not one of ``actions`` is a 404. A refused change answers the page again
    (``render_page``), the reason's error by its field and the rest on top; a change made
    returns ``None`` with the success message, and the view redirects where its side goes next.
    """
    to_status = request.POST.get("to", "")
    if to_status not in actions:
        raise Http404
    try:
        referral_transition(referral=referral, to_status=to_status, by=request.user,
                            reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        reason_form = ReasonForm(request.POST)
        errors = split_action_errors(exc, reason_form)
        return render_page(request, referral, failed_action=to_status,
                           reason_form=reason_form, errors=errors)
    messages.success(request, _("The referral is now %(status)s.")
                     % {"status": ReferralStatus(to_status).label})
    return None
