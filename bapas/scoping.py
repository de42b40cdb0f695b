"""Who may see which office's records: the one place that decides it.

Feature apps build their ``QuerySet.for_user(user)`` on ``OfficeScopedQuerySet`` (or call
``office_ids_for`` directly), so a view that fetches through ``for_user`` cannot forget the
office boundary. Partner staff see no office data here; the partners app widens their view
to the clients referred to their organisation.
"""

from __future__ import annotations

from django.db import models
from django.http import Http404

from .models import Office, Role

ALL = None  # sentinel: no restriction


def office_ids_for(user) -> set[int] | None:
    """The ids of the offices whose data the user may see; ``None`` means every office."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if user.is_superuser or user.role == Role.ADMIN:
        return ALL
    if user.role == Role.REGIONAL:
        if not user.regional_office_id:
            return set()
        return set(
            Office.objects.filter(regional_office_id=user.regional_office_id).values_list(
                "id", flat=True
            )
        )
    if user.role in {Role.PK, Role.OPERATOR, Role.SUPERVISOR, Role.HEAD} and user.office_id:
        return {user.office_id}
    return set()


class OfficeScopedQuerySet(models.QuerySet):
    """A queryset of records that belong to an office through ``office_field``."""

    office_field = "office"

    def for_offices(self, office_ids: set[int] | None):
        if office_ids is ALL:
            return self
        return self.filter(**{f"{self.office_field}__in": office_ids})

    def for_user(self, user):
        return self.for_offices(office_ids_for(user))


def offices_for(user):
    ids = office_ids_for(user)
    qs = Office.objects.all()
    return qs if ids is ALL else qs.filter(id__in=ids)


def get_scoped_or_404(queryset, **lookup):
    """Fetch one object from an already-scoped queryset, 404 otherwise (never 403: no hints)."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
