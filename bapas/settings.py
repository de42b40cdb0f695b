"""Settings for the Bapas case-management system.

Everything that differs between a laptop and production is read from the environment
through the small typed helpers below, which fail loudly on a value they cannot parse.
The embedded default needs nothing but Python: SQLite (in WAL mode), a file cache and
Celery on kombu's filesystem transport. ``DATABASE_URL``, ``CACHE_URL`` and
``CELERY_BROKER_URL`` switch to PostgreSQL and Redis without a code change.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

# Not a secret: the development key, refused below whenever DEBUG is off.
INSECURE_DEFAULT_SECRET_KEY = "django-insecure-bapas-development-key-do-not-use-in-production"  # noqa: S105


def env_str(name: str, default: str) -> str:
    # An empty value (docker-compose's ${VAR:-}) means "not set".
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    raw = os.environ.get(name) or default
    try:
        config = environ.Env.db_url_config(raw)
    except Exception as exc:  # environ raises several types for a malformed URL
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    engine = config.get("ENGINE", "")
    if engine not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            f"{name} must start with sqlite:/// or postgres://, not {raw.split(':', 1)[0]!r}"
        )
    if engine == "django.db.backends.postgresql" and not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no database (postgres://user@host:port/NAME)")
    return config


def env_cache(name: str, default: str) -> dict:
    raw = os.environ.get(name) or default
    try:
        return environ.Env.cache_url_config(raw)
    except Exception as exc:
        raise ImproperlyConfigured(f"{name} is not a valid cache URL: {exc}") from None


# --- Core ----------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", True)
TESTING = "pytest" in sys.modules or env_bool("TESTING", False)
SECRET_KEY = env_str("SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
if not DEBUG and SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value when DEBUG is off; "
        "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long in production")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "simple_history",
    "bapas",
    "clients",
    "partners",
    "meetings",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "bapas.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bapas.middleware.InterfaceLanguageMiddleware",  # Indonesian unless the user chose English
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "bapas.middleware.SessionLifetimeMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "bapas.middleware.RequireMfaMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "bapas.urls"
WSGI_APPLICATION = "bapas.wsgi.application"
ASGI_APPLICATION = "bapas.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bapas.context_processors.navigation",
                "bapas.notifications.context_processors.notifications",
            ],
        },
    },
]

# --- Data ----------------------------------------------------------------------------------

VAR_DIR.mkdir(parents=True, exist_ok=True)
# kombu's filesystem transport needs its folders before the worker starts.
for _sub in ("queue", "processed", "control"):
    (VAR_DIR / "celery" / _sub).mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the Celery worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env_int("CONN_MAX_AGE", 60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    if not env_bool("DB_JIT", False):
        # PostgreSQL's JIT compiles a query whose estimated cost passes jit_above_cost: the
        # subqueries of the caseload's filters put a 25-row list over it, and compiling took
        # 100 ms of a 123 ms query. Short web queries gain nothing from it.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    if env_bool("DB_PREPARED_STATEMENTS", True):
        # Parameters bound by the server, and a query run a fifth time on a connection
        # (CONN_MAX_AGE keeps it) is prepared: PostgreSQL parses it once and may reuse its plan.
        # Planning was most of the database's CPU on the busiest pages (bench/README.md).
        # Turn off behind a transaction-pooling PgBouncer without prepared-statement support.
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 5}
        )
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A real, shared cache: login rate limits must hold across processes.
_cache_dir = VAR_DIR / ("cache-test-" + os.environ.get("PYTEST_XDIST_WORKER", "main")
                        if TESTING else "cache")
CACHES = {"default": env_cache("CACHE_URL", f"filecache://{_cache_dir}")}

MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Case documents live outside MEDIA_ROOT and are only served by permission-checked views.
PRIVATE_STORAGE_ROOT = Path(env_str("PRIVATE_STORAGE_ROOT", str(VAR_DIR / "private")))
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 10) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Years after a client's last order closed before `anonymise_clients` removes what identifies
# them (UU PDP: personal data is kept no longer than its purpose needs).
RETENTION_YEARS = env_int("RETENTION_YEARS", 5)
if RETENTION_YEARS < 1:
    raise ImproperlyConfigured(f"RETENTION_YEARS={RETENTION_YEARS} must be at least 1")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Reads PRIVATE_STORAGE_ROOT at each use; has no public URL.
    "private": {"BACKEND": "bapas.storage.PrivateStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]

# --- Users and login -----------------------------------------------------------------------

AUTH_USER_MODEL = "bapas.User"
AUTHENTICATION_BACKENDS = [  # Django's and allauth's, loading the user with their office
    "bapas.auth_backends.ModelBackend",
    "bapas.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8 if DEBUG else 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "bapas.auth.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Bapas] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "5/m/ip,3/m/key",
    "reset_password_from_key": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Bapas")
# Staff must set up TOTP before they can use the site. On by default when DEBUG is off; the demo
# may switch it off with MFA_REQUIRED=false.
MFA_REQUIRED = env_bool("MFA_REQUIRED", not DEBUG)

SESSION_COOKIE_AGE = 30 * 60  # idle timeout: the cookie is refreshed on every request
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_LIFETIME = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Internationalisation ------------------------------------------------------------------

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True
FORMAT_MODULE_PATH = ["bapas.formats"]

# --- Security (on by default whenever DEBUG is off) ----------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- Email ---------------------------------------------------------------------------------

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Bapas <noreply@bapas.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery --------------------------------------------------------------------------------

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.split(":", 1)[0] not in {"filesystem", "redis", "rediss", "memory"}:
    raise ImproperlyConfigured("CELERY_BROKER_URL must be redis://… or filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    # Redis hands an unacknowledged task to another worker after visibility_timeout: it must
    # stay above the task time limit (300 s) and the longest retry countdown (15 min), or a
    # task still running or waiting would be delivered twice. A killed worker's sends are
    # recovered sooner by the notification sweep (expired claims, every 5 minutes).
    else {"visibility_timeout": 3600}
)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ACKS_LATE = True
# Days an uploaded import file is kept; the import's record and rows stay.
IMPORT_FILE_DAYS = env_int("IMPORT_FILE_DAYS", 90)
# Task modules that autodiscovery (which looks for <app>/tasks.py) does not find.
CELERY_IMPORTS = ("clients.imports.tasks",)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "bapas.tasks.record_heartbeat",
        "schedule": crontab(minute="*/5"),
    },
    # Reminder sweeps read the database (no far-future ETAs); running twice creates nothing twice.
    "notifications-sweep": {
        "task": "bapas.notifications.run_reminder_sweeps",
        "schedule": crontab(minute="2-59/5"),
    },
    "notifications-morning-digest": {
        "task": "bapas.notifications.run_reminder_sweeps",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon-fri"),
    },
    # Last month's reports of every active office (CELERY_TIMEZONE: 06:00 Asia/Jakarta).
    "reports-monthly": {"task": "reports.tasks.schedule_monthly_reports",
                        "schedule": crontab(minute=0, hour=6, day_of_month=1)},
    # Uploaded import spreadsheets (personal data) are deleted after IMPORT_FILE_DAYS.
    "imports-purge-files": {"task": "clients.imports.purge_files",
                            "schedule": crontab(minute=40, hour=2)},
}

# --- WhatsApp and SMS gateways -------------------------------------------------------------
# WHATSAPP_GATEWAY: none | webhook (POST JSON with a Bearer token) | fonnte (api.fonnte.com) |
# file (writes var/messages/whatsapp.jsonl; the default set-up). SMS_GATEWAY: none|webhook|file.
# WHATSAPP_MESSAGE_TEMPLATE wraps each message: {message}, {subject}, {body}, {link}.
WHATSAPP_GATEWAY = env_str("WHATSAPP_GATEWAY", "file" if DEBUG else "none")
WHATSAPP_GATEWAY_URL = env_str("WHATSAPP_GATEWAY_URL", "")
WHATSAPP_GATEWAY_TOKEN = env_str("WHATSAPP_GATEWAY_TOKEN", "")
WHATSAPP_GATEWAY_TIMEOUT = env_int("WHATSAPP_GATEWAY_TIMEOUT", 10)
WHATSAPP_MESSAGE_TEMPLATE = env_str("WHATSAPP_MESSAGE_TEMPLATE", "{message}")
SMS_GATEWAY = env_str("SMS_GATEWAY", "none")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_TIMEOUT = env_int("SMS_GATEWAY_TIMEOUT", 10)
SMS_MESSAGE_TEMPLATE = env_str("SMS_MESSAGE_TEMPLATE", "{message}")
for _prefix, _kinds in (("WHATSAPP", {"none", "webhook", "fonnte", "file"}),
                        ("SMS", {"none", "webhook", "file"})):
    _kind, _url = globals()[f"{_prefix}_GATEWAY"], globals()[f"{_prefix}_GATEWAY_URL"]
    if _kind not in _kinds:
        raise ImproperlyConfigured(f"{_prefix}_GATEWAY must be one of {', '.join(sorted(_kinds))}")
    if _kind == "webhook" and not _url.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"{_prefix}_GATEWAY=webhook needs {_prefix}_GATEWAY_URL=https://…")
    if _kind == "fonnte" and not globals()[f"{_prefix}_GATEWAY_TOKEN"]:
        raise ImproperlyConfigured("WHATSAPP_GATEWAY=fonnte needs WHATSAPP_GATEWAY_TOKEN")

# --- Front end -----------------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Logging -------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # logs every page at INFO
        "fontTools": {"level": "WARNING"},
    },
}
