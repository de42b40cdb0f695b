"""WhatsApp and SMS gateways: one small adapter per provider, chosen by environment.

A gateway sends one text to one number and returns the provider's message id. It raises
``TransientError`` when trying again later may work (timeouts, connection errors, 5xx, 429) and
``PermanentError`` when it will not (other 4xx, a provider that says no). Only the standard
library is used, with a timeout on every request.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from pathlib import Path

from django.conf import settings
from django.utils import timezone

RETRYABLE_HTTP_STATUSES = frozenset({408, 425, 429})
MAX_ERROR_LENGTH = 500


class DeliveryError(Exception):
    """Sending failed; the message says why (never contains the token)."""


class TransientError(DeliveryError):
    """Worth retrying: the provider or the network may recover."""


class PermanentError(DeliveryError):
    """Retrying will not help: fix the number, the configuration or the message."""


class Gateway(ABC):
    name = "gateway"

    @abstractmethod
    def send(self, to: str, text: str, *, idempotency_key: str = "") -> str:
        """Send ``text`` to the number ``to``; return the provider's message id (may be '')."""


class HttpGateway(Gateway):
    """Shared HTTP plumbing: POST, timeout, and the mapping of failures to error types."""

    def __init__(self, url: str, token: str = "", timeout: float = 10):
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme not in {"http", "https"}:
            raise PermanentError(f"{self.name}: the gateway URL must start with https://")
        self.url = url
        self.token = token
        self.timeout = timeout

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        # The scheme is checked in __init__: only http(s) URLs reach urlopen.
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            detail = _short(exc.read() if exc.fp else b"")
            message = f"{self.name}: HTTP {exc.code} {detail}".strip()
            if exc.code >= 500 or exc.code in RETRYABLE_HTTP_STATUSES:
                raise TransientError(message) from None
            raise PermanentError(message) from None
        except TimeoutError:
            raise TransientError(f"{self.name}: no answer within {self.timeout} s") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise TransientError(f"{self.name}: no answer within {self.timeout} s") from None
            raise TransientError(f"{self.name}: cannot connect ({reason})") from None
        except (http.client.HTTPException, ConnectionError, OSError) as exc:
            raise TransientError(f"{self.name}: connection failed ({exc})") from None


class GenericWebhookGateway(HttpGateway):
    """POST JSON ``{to, message, idempotency_key}`` with ``Authorization: Bearer <token>``.

    Fits an in-house relay or any provider behind a small adapter. The idempotency key is the
    notification's unique key: a relay that honours it delivers a retried request only once.
    The answer may be JSON with ``id`` or ``message_id``.
    """

    name = "webhook"

    def send(self, to: str, text: str, *, idempotency_key: str = "") -> str:
        body = json.dumps({"to": to, "message": text, "idempotency_key": idempotency_key}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        _status, raw = self.post(body, headers)
        data = _json_or_none(raw)
        if isinstance(data, dict):
            return str(data.get("id") or data.get("message_id") or "")[:200]
        return ""


class FonnteGateway(HttpGateway):
    """Fonnte (fonnte.com), a WhatsApp gateway widely used in Indonesia.

    ``POST https://api.fonnte.com/send`` with header ``Authorization: <token>`` and form fields
    ``target`` and ``message``. It answers 200 with ``{"status": true, "id": [...]}`` or
    ``{"status": false, "reason": "..."}``; a refusal is permanent (bad token, number not on
    WhatsApp, quota used up) and shows on the outbox page for an administrator to act on.
    """

    name = "fonnte"
    DEFAULT_URL = "https://api.fonnte.com/send"

    def send(self, to: str, text: str, *, idempotency_key: str = "") -> str:
        body = urllib.parse.urlencode({"target": to, "message": text}).encode()
        headers = {
            "Authorization": self.token,
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        _status, raw = self.post(body, headers)
        data = _json_or_none(raw)
        if not isinstance(data, dict):
            raise TransientError(f"fonnte: unreadable answer {_short(raw)}")
        if data.get("status") is not True:
            reason = data.get("reason") or data.get("detail") or "refused"
            raise PermanentError(f"fonnte: {_short(str(reason).encode())}")
        ids = data.get("id")
        if isinstance(ids, list):
            ids = ids[0] if ids else ""
        return str(ids or "")[:200]


class FileGateway(Gateway):
    """Writes each message as a JSON line to a file: the default set-up's stand-in for a phone."""

    name = "file"

    def __init__(self, path: Path):
        self.path = Path(path)

    def send(self, to: str, text: str, *, idempotency_key: str = "") -> str:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {
            "at": timezone.now().isoformat(),
            "to": to,
            "message": text,
            "idempotency_key": idempotency_key,
        }
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        return idempotency_key


def gateway_for(channel: str) -> Gateway | None:
    """The configured gateway for 'whatsapp' or 'sms', or None when the channel is off."""
    prefix = {"whatsapp": "WHATSAPP", "sms": "SMS"}.get(channel)
    if prefix is None:
        return None
    kind = getattr(settings, f"{prefix}_GATEWAY", "none")
    url = getattr(settings, f"{prefix}_GATEWAY_URL", "")
    token = getattr(settings, f"{prefix}_GATEWAY_TOKEN", "")
    timeout = getattr(settings, f"{prefix}_GATEWAY_TIMEOUT", 10)
    if kind == "webhook":
        return GenericWebhookGateway(url, token, timeout)
    if kind == "fonnte":
        return FonnteGateway(url or FonnteGateway.DEFAULT_URL, token, timeout)
    if kind == "file":
        return FileGateway(Path(settings.VAR_DIR) / "messages" / f"{channel}.jsonl")
    return None


def _json_or_none(raw: bytes):
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return None


def _short(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").strip()[:MAX_ERROR_LENGTH]
