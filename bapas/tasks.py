"""Site-wide Celery tasks."""

from __future__ import annotations

import time

from celery import shared_task
from django.core.cache import cache

HEARTBEAT_KEY = "bapas:celery-heartbeat"


@shared_task(name="bapas.tasks.record_heartbeat", ignore_result=True)
def record_heartbeat() -> float:
    """Beat sends this every few minutes; /healthz reports how long ago a worker ran it."""
    now = time.time()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now


@shared_task(name="bapas.tasks.echo", ignore_result=False)
def echo(value: str) -> str:
    """Round-trip probe: the integration test sends it through a real worker and broker."""
    return value

from bapas.notifications.tasks import dispatch_due, run_reminder_sweeps, send_notification  # noqa: E402, F401
