"""An email and a WhatsApp message are delivered exactly once by a real Celery worker and beat on
Redis, even when the worker is killed (SIGKILL) in the middle of sending and another one starts.

The worker and beat are subprocesses with the site's settings (``delivery_settings.py`` only
shortens the clocks that decide redelivery), on the pytest PostgreSQL database, sending email
with Django's file backend into ``tmp_path`` and WhatsApp to a webhook gateway served by this
test. The gateway holds the first WhatsApp request without answering, so the worker is
mid-task when it is killed (its whole process group, parent and pool child). Another worker
then finishes the job through one of the product's two ways back:

- ``broker-redelivery``: the send task is acknowledged late, so the killed worker's message stays
  unacknowledged in Redis; after the broker's visibility timeout Redis hands it to the new
  worker. It is the same task (same id), so ``engine.claim`` lets it take over its own claim.
- ``claim-lease``: with the site's one-hour visibility timeout Redis would wait longer than the
  claim's lease (twice the task time limit); beat's sweep (``dispatch_due``) frees the expired
  claim and queues a new send; the old message, if Redis ever hands it out, finds the
  notification sent and skips it.

Both run in CI (``.ci/run`` sets ``CELERY_BROKER_URL`` to Redis and ``DATABASE_URL`` to
PostgreSQL); elsewhere the test skips unless both are there.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from bapas.notifications import engine
from bapas.notifications.models import Channel, ClientMessageConsent, Notification, Status
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.integration

BROKER = os.environ.get("CELERY_BROKER_URL", "")
TOKEN = "integration-token"
SWEEP_SECONDS = 2

# The clocks of each way back, through the settings the product reads (delivery_settings.py).
MECHANISMS = {
    "broker-redelivery": {"DELIVERY_TEST_VISIBILITY_TIMEOUT": "6"},
    # Time limit 8 s: claims last 16 s. The broker keeps the site's visibility timeout (1 h).
    "claim-lease": {"DELIVERY_TEST_VISIBILITY_TIMEOUT": "3600", "DELIVERY_TEST_TIME_LIMIT": "8"},
}


# --- A WhatsApp webhook gateway ------------------------------------------------------------------


@dataclass
class GatewayRequest:
    headers: dict
    body: bytes
    answered: int | None = None  # the HTTP status the gateway finished sending, if any

    def json(self) -> dict:
        return json.loads(self.body)


class HoldingGateway:
    """A generic webhook gateway on 127.0.0.1 that never answers the first request and answers
    every later one 200 with a message id.

    "Delivered" means: the gateway answered 200 and the whole answer was written. That is the
    moment a provider accepts a message and the sender learns it did; the held request was never
    answered (its sender died waiting), so by this definition it was not delivered, and the
    sender was right to try again. A real provider could still send a message whose answer got
    lost; for that the adapter sends the notification's unique key as ``Idempotency-Key``, and the
    test checks that the retry carried the same key as the held request. This gateway does not
    deduplicate by that key itself, so a second send by the product would count twice here.
    """

    def __init__(self):
        self.requests: list[GatewayRequest] = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = GatewayRequest(dict(self.headers.items()), self.rfile.read(length))
                with outer.lock:
                    outer.requests.append(request)
                    number = len(outer.requests)
                if number == 1:
                    outer.release.wait(timeout=300)  # no answer, ever
                    self.close_connection = True
                    return
                payload = json.dumps({"id": f"wa-{number}"}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    self.wfile.flush()
                except OSError:
                    return
                request.answered = 200

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/send"

    def snapshot(self) -> list[GatewayRequest]:
        with self.lock:
            return list(self.requests)

    def delivered(self) -> list[GatewayRequest]:
        return [r for r in self.snapshot() if r.answered == 200]


@pytest.fixture
def gateway():
    server = HoldingGateway()
    server.thread.start()
    yield server
    server.release.set()
    server.server.shutdown()
    server.server.server_close()


# --- Worker and beat processes -------------------------------------------------------------------


class Processes:
    """Celery subprocesses, each in its own process group with its output in a file."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.env: dict[str, str] = {}
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str) -> subprocess.Popen:
        with (self.directory / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "bapas", *args],
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a process group: the worker and its pool child
            )
        self.running[name] = process
        return process

    def worker(self, name: str) -> subprocess.Popen:
        return self.start(
            name,
            "worker",
            "--loglevel=INFO",
            "--pool=prefork",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}@%h",
        )

    def beat(self) -> subprocess.Popen:
        schedule = str(self.directory / "beat-schedule")
        return self.start("beat", "beat", "--loglevel=INFO", "--schedule", schedule)

    def kill(self, name: str) -> None:
        """SIGKILL the whole group at once: no shutdown code runs, nothing is acknowledged."""
        process = self.running.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def log(self, name: str) -> str:
        path = self.directory / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name} (last 3000 characters)\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.directory.glob("*.log"))
        )

    def stop_all(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)
        self.running.clear()


@pytest.fixture
def redis_client():
    if not BROKER.startswith("redis"):
        pytest.skip("CELERY_BROKER_URL is not Redis")
    import redis

    client = redis.Redis.from_url(BROKER, socket_connect_timeout=3, socket_timeout=10)
    try:
        client.ping()
    except redis.RedisError as exc:
        message = f"Redis at {BROKER} is not reachable: {exc}"
        if os.environ.get("CI"):  # .ci/run starts Redis: there, a skip would hide a failure
            pytest.fail(message)
        pytest.skip(message)
    yield client
    client.close()


@pytest.fixture
def processes(transactional_db, tmp_path):
    # Set up after the database, so torn down before pytest-django empties it.
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database another process can open (DATABASE_URL=postgres)")
    running = Processes(tmp_path)
    yield running
    running.stop_all()


def database_url() -> str:
    """The pytest database (test_<name>, one per xdist worker) as a URL for the subprocesses."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


def wait_for(condition: Callable[[], object], timeout: float, what: str, diagnose) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"no {what} within {timeout} s\n{diagnose()}")


def emails(directory: Path) -> list[str]:
    """The Message-ID of every message the file backend wrote (one file per connection)."""
    found: list[str] = []
    for path in sorted(directory.glob("*.log")) if directory.exists() else []:
        found += re.findall(r"^Message-ID: (\S+)\s*$", path.read_text(errors="replace"), re.M)
    return found


def status_of(notification: Notification) -> Notification:
    return Notification.objects.get(pk=notification.pk)


# --- The test ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mechanism", list(MECHANISMS))
def test_email_and_whatsapp_delivered_once_when_worker_killed_mid_send(
    mechanism, redis_client, processes, gateway, tmp_path
):
    prefix = f"bapas-delivery-test-{uuid.uuid4().hex}:"
    mail_dir = tmp_path / "mail"
    processes.env = {
        **os.environ,
        **MECHANISMS[mechanism],
        "DJANGO_SETTINGS_MODULE": "tests.integration.delivery_settings",
        "DELIVERY_TEST_KEYPREFIX": prefix,
        "DELIVERY_TEST_SWEEP_SECONDS": str(SWEEP_SECONDS),
        "DATABASE_URL": database_url(),
        "VAR_DIR": str(tmp_path),  # EMAIL_FILE_PATH is VAR_DIR/mail
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "WHATSAPP_GATEWAY": "webhook",
        "WHATSAPP_GATEWAY_URL": gateway.url,
        "WHATSAPP_GATEWAY_TOKEN": TOKEN,
        "WHATSAPP_GATEWAY_TIMEOUT": "120",  # the kill ends the held request, not a timeout
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SITE_URL": "https://bapas.test",
        "PYTHONUNBUFFERED": "1",
    }
    processes.env.pop("CELERY_RESULT_BACKEND", None)

    def diagnose() -> str:
        rows = Notification.objects.order_by("pk").values_list(
            "pk", "channel", "status", "attempts", "error"
        )
        return (
            f"notifications: {list(rows)}\ngateway: "
            f"{[(r.answered, r.headers.get('Idempotency-Key')) for r in gateway.snapshot()]}\n"
            f"emails: {emails(mail_dir)}\n{processes.logs()}"
        )

    # A PK with an email address (default channels: in-app and email) and a client who consented
    # to WhatsApp on their number. The email is due first, so a one-process worker sends it
    # before it starts on the WhatsApp message.
    user = UserFactory(email="pk.delivery@test.local")
    client = ClientFactory(office=user.office, phone="0812-3456-7890")
    consent = ClientMessageConsent.objects.create(
        client=client, phone="0812-3456-7890", recorded_by=user
    )
    now = timezone.now()
    email_draft = engine.Draft(
        kind="integration.delivery",
        channel=Channel.EMAIL,
        due_at=now - timedelta(minutes=2),
        subject="Kontak terlewat",
        body="Kontak kemarin belum dicatat.",
        recipient=user,
    )
    whatsapp_draft = engine.Draft(
        kind="integration.delivery",
        channel=Channel.WHATSAPP,
        due_at=now - timedelta(minutes=1),
        subject="Pengingat",
        body="Besok wajib lapor pukul 09.00.",
        phone=consent.phone,
        consent_id=consent.pk,
    )
    assert engine.ensure([email_draft]) == engine.ensure([whatsapp_draft]) == 1
    email = Notification.objects.get(unique_key=email_draft.key())
    whatsapp = Notification.objects.get(unique_key=whatsapp_draft.key())
    assert (email.status, whatsapp.status) == (Status.PENDING, Status.PENDING)
    assert email.queued_at is None and whatsapp.queued_at is None  # only beat's sweep queues them

    try:
        # 1. Beat's sweep queues both; worker 1 sends the email, then hangs on the WhatsApp send.
        processes.beat()
        processes.worker("worker1")
        wait_for(
            lambda: (
                gateway.snapshot()
                and status_of(whatsapp).status == Status.SENDING
                and status_of(email).status == Status.SENT
            ),
            60,
            "email sent and WhatsApp request held by the gateway",
            diagnose,
        )
        held_task_id = status_of(whatsapp).claim_token  # the claim token is the task id
        assert held_task_id
        assert emails(mail_dir) == [f"<notification-{email.pk}@bapas.test>"]

        # 2. Kill worker 1 mid-request; the gateway never answers that request.
        processes.kill("worker1")
        assert status_of(whatsapp).status == Status.SENDING

        # 3. A new worker; the product brings the WhatsApp send back to it.
        processes.worker("worker2")
        wait_for(lambda: status_of(whatsapp).status == Status.SENT, 60, "WhatsApp sent", diagnose)

        # 4. Let beat sweep twice more on the new worker, then expect an empty queue: whatever
        # could still send a duplicate has had its chance.
        def sweeps() -> int:
            log = processes.log("worker2")
            return len(re.findall(r"run_reminder_sweeps\[[^\]]+\] (?:succeeded|raised)", log))

        settled_after = sweeps() + 2
        wait_for(
            lambda: sweeps() >= settled_after and redis_client.llen(prefix + "celery") == 0,
            30,
            "two more sweeps and an empty queue",
            diagnose,
        )
        worker2_log = processes.log("worker2")
        unacked = redis_client.hgetall(prefix + "unacked")
    finally:
        processes.stop_all()
        gateway.release.set()
        keys = list(redis_client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            redis_client.delete(*keys)

    # Exactly one WhatsApp delivery, after one unanswered attempt with the same idempotency key.
    requests = gateway.snapshot()
    assert len(requests) == 2, diagnose()
    assert [r.answered for r in requests] == [None, 200]
    for request in requests:
        assert request.headers["Idempotency-Key"] == whatsapp.unique_key
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert request.json() == {
            "to": "6281234567890",
            "message": "Pengingat\n\nBesok wajib lapor pukul 09.00.",
            "idempotency_key": whatsapp.unique_key,
        }
    assert len(gateway.delivered()) == 1
    whatsapp = status_of(whatsapp)
    assert whatsapp.status == Status.SENT
    assert whatsapp.provider_message_id == "wa-2"  # the answered request's id
    assert whatsapp.attempts == 2
    assert whatsapp.error == ""

    # Exactly one email, the one worker 1 sent before it was killed.
    assert emails(mail_dir) == [f"<notification-{email.pk}@bapas.test>"], diagnose()
    email = status_of(email)
    assert email.status == Status.SENT
    assert email.provider_message_id == f"<notification-{email.pk}@bapas.test>"
    assert email.attempts == 1

    # Which way back it was.
    held_ids = {json.loads(raw)[0]["headers"]["id"] for raw in unacked.values()}
    if mechanism == "broker-redelivery":
        # Redis handed worker 1's message to worker 2, which finished it; nothing is left.
        assert f"send_notification[{held_task_id}] succeeded" in worker2_log
        assert held_task_id not in held_ids
    else:
        # Redis still holds worker 1's message (an hour's visibility timeout); the send came
        # from a new task that beat's sweep queued after the claim's lease ran out.
        assert held_task_id not in worker2_log
        assert held_task_id in held_ids
