"""/healthz: is the database, the cache and the broker reachable?"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..tasks import HEARTBEAT_KEY


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_cache() -> str:
    cache.set("bapas:healthz", "ok", timeout=30)
    if cache.get("bapas:healthz") != "ok":
        raise RuntimeError("cache did not return the value just written")
    return "ok"


def _check_broker() -> str:
    from bapas.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}
    status: dict[str, object] = {}
    healthy = True
    for name, check in checks.items():
        try:
            status[name] = check()
        except Exception as exc:  # a health check reports every failure, whatever its type
            healthy = False
            status[name] = f"error: {type(exc).__name__}"
            if settings.DEBUG:
                status[name] += f": {exc}"
    heartbeat = cache.get(HEARTBEAT_KEY) if status.get("cache") == "ok" else None
    status["worker_last_seen_seconds"] = round(time.time() - heartbeat) if heartbeat else None
    status["status"] = "ok" if healthy else "error"
    return JsonResponse(status, status=200 if healthy else 503)
