"""System checks that `manage.py check --deploy` runs in production."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_mfa_required(app_configs, **kwargs):
    if not settings.MFA_REQUIRED:
        return [
            Warning(
                "MFA_REQUIRED is off: staff can use the site without two-factor authentication.",
                hint="Unset MFA_REQUIRED (it defaults to on when DEBUG is off).",
                id="bapas.W001",
            )
        ]
    return []


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The cache is not shared between processes: login rate limits will not hold.",
                hint="Set CACHE_URL=redis://… in production.",
                id="bapas.W002",
            )
        ]
    return []
