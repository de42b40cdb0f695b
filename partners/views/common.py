"""What every partners view shares: who may reach the officer pages, file streaming, figures."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404

from bapas.models import Role
from bapas.roles import capability_required

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
