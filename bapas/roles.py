"""What each role may do. The one table that permission checks and navigation read.

A capability is a short verb phrase; views ask ``can(user, "users.manage")`` or use
``@capability_required(...)``. Which *records* a user may see is decided by ``bapas.scoping``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Role

CAPABILITIES: dict[str, frozenset[str]] = {
    # Case work
    "clients.view": frozenset({Role.PK, Role.OPERATOR, Role.SUPERVISOR, Role.HEAD, Role.ADMIN}),
    "clients.register": frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.HEAD, Role.PK}),
    "clients.casework": frozenset({Role.PK, Role.SUPERVISOR, Role.HEAD}),
    "clients.case_notes": frozenset({Role.PK, Role.SUPERVISOR, Role.HEAD}),
    "clients.checkin": frozenset({Role.OPERATOR, Role.PK, Role.SUPERVISOR, Role.HEAD}),
    "clients.assign": frozenset({Role.SUPERVISOR, Role.HEAD}),
    "clients.decide_revocation": frozenset({Role.SUPERVISOR, Role.HEAD}),
    # Partners
    "partners.view": frozenset({Role.PK, Role.OPERATOR, Role.SUPERVISOR, Role.HEAD, Role.ADMIN}),
    "partners.manage": frozenset({Role.SUPERVISOR, Role.HEAD, Role.ADMIN}),
    "partners.portal": frozenset({Role.PARTNER}),
    "referrals.manage": frozenset({Role.PK, Role.SUPERVISOR, Role.HEAD}),
    # Meetings
    "meetings.view": frozenset(
        {Role.PK, Role.OPERATOR, Role.SUPERVISOR, Role.HEAD, Role.PARTNER, Role.ADMIN}
    ),
    "meetings.manage": frozenset({Role.SUPERVISOR, Role.HEAD, Role.PK}),
    # Reports and statistics
    "reports.office": frozenset({Role.SUPERVISOR, Role.HEAD, Role.ADMIN}),
    "reports.regional": frozenset({Role.REGIONAL, Role.ADMIN}),
    # Administration
    "users.manage": frozenset({Role.SUPERVISOR, Role.HEAD, Role.ADMIN}),
    "offices.manage": frozenset({Role.ADMIN}),
    "audit.view": frozenset({Role.SUPERVISOR, Role.HEAD, Role.ADMIN}),
}

# Which roles a manager may give to the accounts they create. Administrators may give any.
ASSIGNABLE_ROLES: dict[str, frozenset[str]] = {
    Role.SUPERVISOR: frozenset({Role.PK, Role.OPERATOR, Role.PARTNER}),
    Role.HEAD: frozenset({Role.PK, Role.OPERATOR, Role.SUPERVISOR, Role.PARTNER}),
    Role.ADMIN: frozenset(Role.values),
}


def can(user, capability: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if capability not in CAPABILITIES:
        raise KeyError(f"Unknown capability {capability!r}")
    role = Role.ADMIN if user.is_superuser else user.role
    return role in CAPABILITIES[capability]


def capability_required(capability: str) -> Callable:
    """View decorator: 403 unless the logged-in user's role has the capability.

    Partner staff get 404 instead: the office's pages are outside their portal, and a 403
    would confirm that the record they guessed exists.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(request.user, capability):
                raise refusal(request.user)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def is_partner_staff(user) -> bool:
    return (getattr(user, "is_authenticated", False) and not user.is_superuser
            and user.role == Role.PARTNER)


def refusal(user) -> Exception:
    """What a view raises when ``user`` may not use it: 403, but 404 for partner staff, to
    whom nothing outside their portal admits that it exists."""
    return Http404() if is_partner_staff(user) else PermissionDenied()


def assignable_roles(user) -> list[tuple[str, str]]:
    allowed = ASSIGNABLE_ROLES.get(Role.ADMIN if user.is_superuser else user.role, frozenset())
    return [(value, label) for value, label in Role.choices if value in allowed]


def validate_user_placement(user) -> None:
    """A user's role decides which of office, regional office and partner must be set."""
    errors = {}
    if user.role in {Role.PK, Role.OPERATOR, Role.SUPERVISOR, Role.HEAD} and not user.office_id:
        errors["office"] = _("Officers of this role must belong to an office.")
    if user.role == Role.REGIONAL and not user.regional_office_id:
        errors["regional_office"] = _("A regional viewer needs a regional office.")
    if user.role == Role.PARTNER and not user.partner_id:
        errors["partner"] = _("Partner staff must belong to a partner organisation.")
    if errors:
        raise ValidationError(errors)
