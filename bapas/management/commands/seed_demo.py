"""Create (or bring up to date) the demo offices, logins and case data. Idempotent."""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bapas.demo import DEMO_PASSWORD, seed_offices_and_users


class Command(BaseCommand):
    help = "Load demo data (refused when DEBUG is off)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print logins.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not getattr(settings, "TESTING", False):
            raise CommandError("seed_demo is refused when DEBUG is off: it would add demo "
                               "accounts with a published password to a production site.")
        with transaction.atomic():
            context = seed_offices_and_users()
            # Each feature app may ship a demo.py with seed(context); they run in app order.
            for app_config in apps.get_app_configs():
                if app_config.name == "bapas":
                    continue
                try:
                    module = import_module(f"{app_config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app_config.name}.demo":
                        raise
                    continue
                seed = getattr(module, "seed", None)
                if seed is not None:
                    seed(context)
                    self.stdout.write(f"seeded {app_config.name}")
        if not options["quiet_logins"]:
            self.stdout.write(self.style.SUCCESS(
                f"\nDemo logins (password for all: {DEMO_PASSWORD}):"))
            width = max(len(email) for email, _ in context.logins)
            for email, description in context.logins:
                self.stdout.write(f"  {email.ljust(width)}  {description}")
