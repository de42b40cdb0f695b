"""The notification engine: records, channels, gateways, sweeps and the sending task.

Feature apps contribute reminder rules in their own ``<app>/reminders.py`` (a ``RULES`` list of
``bapas.notifications.engine.Rule``); the engine discovers them, so nothing here imports a
feature app. Event-driven messages (a referral changed, a report is ready) call
``bapas.notifications.services.notify``.
"""
