"""Fill the database with national-scale synthetic data for benchmarks (see bench/README.md).

    python manage.py seed_scale                      # 90 offices, 200,000 clients, ...
    python manage.py seed_scale --clients 50000 --contacts 500000 --referrals 75000 \\
        --sessions 250000 --meetings 5000            # a quarter of the national size

Refused when DEBUG is off (unless --force: the bench logins share a published password), and
on a database that already holds scale data (unless --reset, which empties the project's
tables first; it refuses when the database holds accounts it did not create).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bapas import scale


class Command(BaseCommand):
    help = "Load national-scale synthetic data (COPY on PostgreSQL) and report the time taken."

    def add_arguments(self, parser):
        defaults = scale.ScaleOptions()
        for name in ("offices", "clients", "contacts", "referrals", "sessions", "meetings",
                     "years", "seed"):
            parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name),
                                help=f"default {getattr(defaults, name):,}")
        parser.add_argument("--reset", action="store_true",
                            help="Empty the project's tables first (a benchmark database only).")
        parser.add_argument("--force", action="store_true",
                            help="Run even with DEBUG off, or reset despite other accounts.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_scale is refused when DEBUG is off: it creates thousands of logins with "
                f"the published password {scale.BENCH_PASSWORD!r}. Use a benchmark database "
                "and --force if that is what you mean."
            )
        values = {name: options[name] for name in (
            "offices", "clients", "contacts", "referrals", "sessions", "meetings", "years",
            "seed")}
        if min(values["offices"], values["clients"], values["years"]) < 1:
            raise CommandError("--offices, --clients and --years must be at least 1")
        if min(values.values()) < 0:
            raise CommandError("Counts cannot be negative")
        if values["clients"] < values["offices"]:
            raise CommandError("--clients must be at least --offices (every office has clients)")
        log = self.stdout.write
        if scale.holds_scale_data() and not options["reset"]:
            raise CommandError(
                "This database already holds scale data (accounts @officeN.bench.local). "
                "Use it as it is, or run again with --reset to replace it."
            )
        if options["reset"]:
            others = scale.foreign_users()
            if others and not options["force"]:
                raise CommandError(
                    f"--reset empties every case table, and this database has {others} "
                    "accounts seed_scale did not create. Use a separate benchmark database "
                    "(or --force)."
                )
            log("Emptying the project's tables...")
            scale.reset(log)
        started = time.perf_counter()
        log(f"Seeding {connection.vendor} ({connection.settings_dict['NAME']}): "
            + ", ".join(f"{name} {value:,}" for name, value in values.items()))
        timings = scale.seed(scale.ScaleOptions(**values), log)
        total = time.perf_counter() - started
        rows = sum(count for _table, count, _elapsed in timings)
        self.stdout.write(self.style.SUCCESS(
            f"Done: {rows:,} rows in {total:.1f} s. Logins (password {scale.BENCH_PASSWORD}): "
            f"{scale.office_email('pk1', 1)}, {scale.office_email('kasubsi', 1)}, "
            f"{scale.office_email('mitra1', 1)}, {scale.office_email('operator', 1)}."
        ))
