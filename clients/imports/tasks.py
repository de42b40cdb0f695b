"""The Celery tasks that check and import a large batch. Registered with the worker through
``CELERY_IMPORTS`` (settings), since autodiscovery only looks at ``<app>.tasks``."""

from __future__ import annotations

from celery import shared_task

# An import of several thousand rows takes minutes; the site-wide 5-minute limit is too short.
SOFT_TIME_LIMIT = 30 * 60


@shared_task(name="clients.imports.run_import", acks_late=True, ignore_result=True,
             soft_time_limit=SOFT_TIME_LIMIT, time_limit=SOFT_TIME_LIMIT + 60)
def run_import(batch_id: int) -> str | None:
    """Run a confirmed import. Safe to run twice: only the run that claims the batch works."""
    from .engine import import_run

    batch = import_run(batch_id)
    return batch.status if batch is not None else None


@shared_task(name="clients.imports.check_import", acks_late=True, ignore_result=True,
             soft_time_limit=SOFT_TIME_LIMIT, time_limit=SOFT_TIME_LIMIT + 60)
def check_import(batch_id: int) -> str | None:
    """Judge every row of a large uploaded file for its preview. Safe to run twice."""
    from .engine import import_check

    batch = import_check(batch_id)
    return batch.status if batch is not None else None


@shared_task(name="clients.imports.purge_files", ignore_result=True)
def purge_files() -> int:
    """Nightly: delete uploaded import files older than IMPORT_FILE_DAYS (personal data)."""
    from .engine import purge_old_files

    return purge_old_files()
