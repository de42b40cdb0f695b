"""A real worker must know the import tasks: they live in clients/imports/tasks.py, which
Celery's autodiscovery (it looks for <app>/tasks.py) does not find on its own."""

import subprocess
import sys

from django.conf import settings

STARTUP = """
import django
django.setup()
from bapas.celery import app
app.loader.import_default_modules()  # what a worker does when it starts
print(" ".join(sorted(app.tasks)))
"""


def test_a_fresh_worker_registers_the_import_tasks():
    # A fresh process: in this one, the tests may already have imported the task module.
    result = subprocess.run([sys.executable, "-c", STARTUP], cwd=settings.BASE_DIR, check=True,
                            capture_output=True, text=True,
                            env={"DJANGO_SETTINGS_MODULE": "bapas.settings", "PATH": ""})
    tasks = set(result.stdout.split())
    assert {"clients.imports.run_import", "clients.imports.check_import"} <= tasks
