"""Gateway settings come from the environment and fail loudly on a bad value."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from bapas.notifications.gateways import (
    FileGateway,
    FonnteGateway,
    GenericWebhookGateway,
    gateway_for,
)


def check_with(env: dict) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("WHATSAPP_", "SMS_"))}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "env,message",
    [
        ({"WHATSAPP_GATEWAY": "twilio"}, "WHATSAPP_GATEWAY must be one of"),
        ({"WHATSAPP_GATEWAY": "webhook"}, "needs WHATSAPP_GATEWAY_URL"),
        ({"WHATSAPP_GATEWAY": "fonnte"}, "needs WHATSAPP_GATEWAY_TOKEN"),
        ({"SMS_GATEWAY": "fonnte"}, "SMS_GATEWAY must be one of"),
        ({"WHATSAPP_GATEWAY_TIMEOUT": "soon"}, "not a whole number"),
    ],
)
def test_bad_gateway_settings_stop_the_site(env, message):
    result = check_with(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_good_gateway_settings_pass():
    result = check_with(
        {
            "WHATSAPP_GATEWAY": "fonnte",
            "WHATSAPP_GATEWAY_TOKEN": "t",
            "SMS_GATEWAY": "webhook",
            "SMS_GATEWAY_URL": "https://sms.example/",
        }
    )
    assert result.returncode == 0, result.stderr


def test_gateway_chosen_by_settings(settings, tmp_path):
    settings.WHATSAPP_GATEWAY = "fonnte"
    settings.WHATSAPP_GATEWAY_URL = ""
    settings.WHATSAPP_GATEWAY_TOKEN = "t"
    gateway = gateway_for("whatsapp")
    assert isinstance(gateway, FonnteGateway) and gateway.url == "https://api.fonnte.com/send"
    settings.SMS_GATEWAY = "webhook"
    settings.SMS_GATEWAY_URL = "https://relay.example/sms"
    assert isinstance(gateway_for("sms"), GenericWebhookGateway)
    settings.WHATSAPP_GATEWAY = "file"
    settings.VAR_DIR = tmp_path
    assert isinstance(gateway_for("whatsapp"), FileGateway)
    settings.WHATSAPP_GATEWAY = "none"
    assert gateway_for("whatsapp") is None
    assert gateway_for("email") is None
