"""Audit: who changed what (django-simple-history) and who looked at what (AccessLog).

Feature apps add ``history = HistoricalRecords()`` to their case models and register them here
with the path from the model to its office, so the audit pages can list their changes scoped
to the viewer's offices. Views call ``log_access`` whenever they show, download or export a
sensitive record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from .models import AccessLog


@dataclass(frozen=True)
class AuditedModel:
    model: type[models.Model]
    office_path: str | None  # lookup from the model to its office id, e.g. "client__office"

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name_plural)


_registry: dict[str, AuditedModel] = {}


def register_history(model: type[models.Model], office_path: str | None) -> None:
    """Make a model's history browsable on the audit page. ``None``: visible to admins only."""
    entry = AuditedModel(model=model, office_path=office_path)
    _registry[entry.key] = entry


def audited_models() -> list[AuditedModel]:
    return sorted(_registry.values(), key=lambda entry: entry.label)


def get_audited_model(key: str) -> AuditedModel | None:
    return _registry.get(key)


def client_ip(request: HttpRequest) -> str | None:
    # Behind the production proxy the real address is the first X-Forwarded-For hop; the proxy
    # is trusted because only it can reach gunicorn (see docker-compose.yml).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    candidate = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return candidate or None


def log_access(
    request: HttpRequest,
    obj: models.Model | None,
    action: str = AccessLog.Action.VIEW,
    *,
    label: str = "",
    office_id: int | None = None,
) -> AccessLog:
    """Record that the request's user viewed, downloaded, exported or printed ``obj``."""
    user = request.user if request.user.is_authenticated else None
    if obj is not None and office_id is None:
        # An office is its own office; every other record names its office.
        is_office = obj._meta.label_lower == "bapas.office"
        office_id = obj.pk if is_office else getattr(obj, "office_id", None)
    return AccessLog.objects.create(
        user=user,
        office_id=office_id,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_label=(label or str(obj))[:255] if obj is not None or label else "",
        path=request.get_full_path()[:500],
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )
