"""Notification fixtures: fixed local times, a PK's case, and a local HTTP gateway."""

from __future__ import annotations

import json
import threading
import time as time_module
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from bapas.notifications.engine import discover_rules
from tests.factories import ClientFactory, OrderFactory

MONDAY = date(2026, 12, 7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware datetime in Asia/Jakarta."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture(autouse=True)
def _eager_retries():
    """Run Celery retries eagerly, one after the other, as a worker would (without waiting).

    With eager propagation on, Celery raises ``Retry`` to the caller instead of running the
    retry; a worker never propagates, so these tests don't either.
    """
    from bapas.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _gateways_off(settings):
    settings.WHATSAPP_GATEWAY = "none"
    settings.SMS_GATEWAY = "none"
    settings.WHATSAPP_MESSAGE_TEMPLATE = "{message}"
    settings.SITE_URL = "https://bapas.test"
    discover_rules.cache_clear()


class Clock:
    """``django.utils.timezone.now`` frozen at a settable moment (code that calls
    ``timezone.now()`` sees it; model field defaults captured at import time do not)."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> datetime:
        self.moment = moment
        return moment


@pytest.fixture
def clock(monkeypatch):
    frozen = Clock(at(MONDAY, 6))
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture
def own_order(users, office):
    return OrderFactory(
        client=ClientFactory(
            office=office,
            full_name="Muhammad Rizky",
            register_number="REG-1",
            phone="0812-3456-7890",
            whatsapp="0812 3456 7890",
        ),
        assigned_pk=users["pk"],
        supervision_start=MONDAY - timedelta(days=100),
        supervision_end=MONDAY + timedelta(days=200),
    )


@pytest.fixture
def own_client(own_order):
    return own_order.client


@dataclass
class Reply:
    status: int = 200
    body: dict | str = field(default_factory=lambda: {"id": "msg-1"})
    delay: float = 0.0


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class GatewayServer:
    """A real HTTP server on 127.0.0.1 (random port) that answers from a script of replies."""

    def __init__(self):
        self.replies: list[Reply] = []
        self.default = Reply()
        self.received: list[Received] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                outer.received.append(
                    Received(self.path, dict(self.headers.items()), self.rfile.read(length))
                )
                reply = outer.replies.pop(0) if outer.replies else outer.default
                if reply.delay:
                    time_module.sleep(reply.delay)
                body = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(body.encode())
                except OSError:  # the client gave up (timeout test)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/send"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway_server():
    with GatewayServer() as server:
        yield server


@pytest.fixture
def whatsapp_webhook(settings, gateway_server):
    settings.WHATSAPP_GATEWAY = "webhook"
    settings.WHATSAPP_GATEWAY_URL = gateway_server.url
    settings.WHATSAPP_GATEWAY_TOKEN = "secret-token"
    settings.WHATSAPP_GATEWAY_TIMEOUT = 0.3
    return gateway_server
