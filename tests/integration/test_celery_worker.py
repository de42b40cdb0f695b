"""A task travels through a real Celery worker on Redis (runs in CI, where Redis is set)."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings

pytestmark = pytest.mark.integration

BROKER = os.environ.get("CELERY_BROKER_URL", "")


@pytest.mark.skipif(not BROKER.startswith("redis"), reason="CELERY_BROKER_URL is not Redis")
def test_task_round_trip_through_real_worker_on_redis(tmp_path):
    backend = BROKER.rsplit("/", 1)[0] + "/15"
    queue = f"integration-{os.getpid()}-{time.time_ns()}"
    env = {**os.environ, "CELERY_RESULT_BACKEND": backend, "VAR_DIR": str(tmp_path)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "bapas", "worker", "--loglevel=WARNING",
         "--concurrency=1", "--pool=solo", "-Q", queue, "--without-gossip", "--without-mingle"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    # A separate client app with a result backend, so the site's app (results ignored) stays
    # untouched; it sends by task name through the same broker.
    from celery import Celery

    client_app = Celery("integration-client", broker=BROKER, backend=backend)
    try:
        result = client_app.send_task("bapas.tasks.echo", args=["salam dari Jember"],
                                      queue=queue)
        assert result.get(timeout=60) == "salam dari Jember"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
