"""Fetching a meeting the way every view must: scoped to the user, 404 otherwise."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form

from bapas.scoping import get_scoped_or_404

from ..models import Meeting
from ..selectors import can_manage


def visible_meeting(request, pk: int) -> Meeting:
    return get_scoped_or_404(
        Meeting.objects.for_user(request.user).select_related(
            "office__regional_office", "created_by", "chair", "minutes_taker"
        ),
        pk=pk,
    )


def managed_meeting(request, pk: int) -> Meeting:
    """A meeting the user may change: 404 if they cannot see it, 403 if they only read it."""
    meeting = visible_meeting(request, pk)
    if not can_manage(request.user, meeting):
        raise PermissionDenied
    return meeting


def add_service_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
