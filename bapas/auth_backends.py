"""Authentication backends that load the logged-in user with their office, partner and region.

Every page shows the user's office (``base.html``), and dashboards the partner or region: read
with the user in one query instead of one more per request. Otherwise exactly Django's and
allauth's backends: ``get_user`` still refuses an inactive account (``user_can_authenticate``),
so deactivating an account ends its sessions at the next request.
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

RELATED = ("office", "partner", "regional_office")


class UserWithPlacementMixin:
    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related(*RELATED).get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class ModelBackend(UserWithPlacementMixin, DjangoModelBackend):
    """``django.contrib.auth.backends.ModelBackend`` (used by ``force_login`` and the admin)."""


class AuthenticationBackend(UserWithPlacementMixin, AllauthBackend):
    """allauth's backend (the login form)."""
