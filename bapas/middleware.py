"""The interface language, session lifetime and MFA enforcement."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

SESSION_STARTED_KEY = "bapas_session_started"


class InterfaceLanguageMiddleware(LocaleMiddleware):
    """Bahasa Indonesia unless the user chose another language with the language switch.

    Django's LocaleMiddleware follows the browser's Accept-Language; here it is ignored, because
    many officers' browsers and phones are set to English while their office works in Indonesian.
    The switch stores the choice in the language cookie, which is followed.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen or "")
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # Not LocaleMiddleware's "Vary: Accept-Language": the answer does not depend on it.
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class SessionLifetimeMiddleware:
    """End a session after its absolute lifetime, or at once when the account is deactivated.

    The idle timeout is Django's own (SESSION_COOKIE_AGE refreshed on every request).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)
                messages.info(request, _("Your session has ended. Please log in again."))
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


# Paths a user without MFA may still open: the MFA set-up itself, logout and static files.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/", "/media/")


class RequireMfaMiddleware:
    """When MFA is required, send staff who have not set up TOTP to do so first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.MFA_REQUIRED and self._needs_mfa(request):
            activate_url = reverse("mfa_activate_totp")
            if not request.path.startswith(MFA_EXEMPT_PREFIXES):
                messages.warning(
                    request,
                    _("Two-factor authentication is required. Please set it up to continue."),
                )
                return redirect(activate_url)
        return self.get_response(request)

    @staticmethod
    def _needs_mfa(request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        from allauth.mfa.utils import is_mfa_enabled

        cache_attr = "_bapas_mfa_enabled"
        if not hasattr(user, cache_attr):
            setattr(user, cache_attr, is_mfa_enabled(user))
        return not getattr(user, cache_attr)


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Bootstrap components and charts set element styles; scripts stay strictly 'self'.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every response; no caching of pages seen when logged in.

    Every page a logged-in user sees may carry personal data (client records, offences,
    children's data), so none of it may be kept by the browser or a shared proxy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response
