"""Celery tasks of the notification engine. Thin: they take ids and call the engine.

``send_notification`` is acknowledged late: when a pool process dies the task is rejected and
requeued; when the whole worker dies, Redis redelivers the unacknowledged task after its
visibility timeout, or the sweep releases the expired claim and queues a new send (whichever
comes first). The claim in ``engine.deliver`` makes a redelivered task either finish the same
send or skip it, so nothing is sent twice (tests/integration/test_notification_delivery.py).
"""

from __future__ import annotations

from celery import shared_task

from . import engine


@shared_task(
    bind=True,
    name="bapas.notifications.send_notification",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=engine.MAX_ATTEMPTS - 1,
    ignore_result=True,
)
def send_notification(self, notification_id: int) -> str:
    outcome = engine.deliver(notification_id, token=self.request.id or "")
    if outcome == engine.Outcome.RETRY and self.request.retries < self.max_retries:
        # The row is pending again with next_attempt_at set; should this retry message be lost,
        # dispatch_due picks the notification up when that time comes.
        raise self.retry(countdown=engine.retry_delay(self.request.retries + 1))
    return outcome


@shared_task(
    name="bapas.notifications.dispatch_due",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def dispatch_due() -> int:
    """Queue a send for every due pending notification."""
    ids = engine.due_for_sending()
    for notification_id in ids:
        send_notification.delay(notification_id)
    return len(ids)


@shared_task(
    name="bapas.notifications.run_reminder_sweeps",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def run_reminder_sweeps() -> dict:
    """Beat runs this every few minutes and at 07:00 on working days (the morning digest)."""
    result = engine.run_sweeps()
    engine.purge_old()
    queued = dispatch_due()
    if result.errors:
        raise RuntimeError("; ".join(result.errors))
    return {"created": result.created, "cancelled": result.cancelled, "queued": queued}
