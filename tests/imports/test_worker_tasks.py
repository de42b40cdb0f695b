"""A real worker must know the import tasks: they live in clients/imports/tasks.py, which
Celery's autodiscovery (it looks for <app>/tasks.py) does not find on its own."""

from bapas.celery import app


def test_the_worker_registers_the_import_tasks():
    app.loader.import_default_modules()  # what a worker does when it starts
    assert {"clients.imports.run_import", "clients.imports.check_import"} <= set(app.tasks)
