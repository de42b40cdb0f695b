"""Settings read from the environment and fail loudly on bad values."""

import ast
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from bapas import settings as bapas_settings

PROJECT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_django(env: dict, *args: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items()
                if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "CELERY_BROKER_URL",
                              "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    full_env.update(env)
    full_env["VAR_DIR"] = env.get("VAR_DIR", os.path.join(PROJECT, "var"))
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=full_env,
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_env_bool_rejects_garbage(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        bapas_settings.env_bool("X_FLAG", False)


def test_env_int_rejects_garbage(monkeypatch):
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        bapas_settings.env_int("X_NUM", 1)


def test_database_url_switches_engine(monkeypatch):
    monkeypatch.setenv("X_DB", "postgres://postgres@127.0.0.1:5432/bapas")
    config = bapas_settings.env_database("X_DB", "sqlite:///x")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "bapas"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "nonsense", "postgres://host-only"])
def test_malformed_database_url_is_refused(monkeypatch, url):
    monkeypatch.setenv("X_DB", url)
    with pytest.raises(ImproperlyConfigured, match="X_DB"):
        bapas_settings.env_database("X_DB", "sqlite:///x")


def test_production_refuses_default_secret_key(tmp_path):
    result = run_django({"DEBUG": "false", "VAR_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_check_deploy_is_clean(tmp_path):
    result = run_django(
        {
            "DEBUG": "false",
            "SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-test-only-0123456789",
            "ALLOWED_HOSTS": "bapas.example.go.id",
            "CACHE_URL": "redis://127.0.0.1:6379/1",
            "VAR_DIR": str(tmp_path),
        },
        "check", "--deploy", "--fail-level", "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_checks_with_the_default_database_are_clean(tmp_path):
    # Checks of models against the database (indexes, constraints) run only with --database,
    # as they do before migrate and runserver: SQLite, the default, lacks some index features.
    result = run_django({"VAR_DIR": str(tmp_path)},
                        "check", "--database", "default", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_defaults_are_secure(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS > 0, s.MFA_REQUIRED, s.SECURE_PROXY_SSL_HEADER[0])"
    )
    result = run_django(
        {"DEBUG": "false", "SECRET_KEY": "k" * 60, "VAR_DIR": str(tmp_path)}, "shell", "-c", code
    )
    last_line = result.stdout.strip().splitlines()[-1]
    assert last_line.split() == ["True"] * 5 + ["HTTP_X_FORWARDED_PROTO"], result.stderr


@pytest.mark.parametrize(("env", "expected"), [
    ({}, {"options": "-c jit=off", "server_side_binding": True, "prepare_threshold": 5}),
    ({"DB_PREPARED_STATEMENTS": "false"}, {"options": "-c jit=off"}),
    ({"DB_JIT": "true", "DB_PREPARED_STATEMENTS": "false"}, {}),
])
def test_postgresql_connection_options_and_their_switches(env, expected):
    """Prepared statements on and JIT off by default; each can be switched."""
    result = run_django(
        {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/bapas", **env},
        "shell", "--no-imports", "-c",
        "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))",
    )
    assert result.returncode == 0, result.stderr
    assert ast.literal_eval(result.stdout.strip()) == expected


@pytest.mark.django_db
@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").split(":")[0] not in {"postgres",
                                                                             "postgresql"},
                    reason="prepared statements are PostgreSQL's")
def test_a_query_run_often_is_prepared_on_the_server():
    from django.db import connection

    from bapas.models import Office

    for office_id in range(1, 8):  # the same query text, other parameters
        list(Office.objects.filter(pk=office_id))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any('FROM "bapas_office"' in statement and "$1" in statement
               for statement in statements)


@pytest.mark.django_db
@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").split(":")[0] not in {"postgres",
                                                                             "postgresql"},
                    reason="JIT is PostgreSQL's")
def test_jit_is_off_on_the_applications_connections():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
