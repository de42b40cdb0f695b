"""National-scale synthetic data for benchmarks (``manage.py seed_scale``).

The generator builds plain tuples in memory (offices, staff, clients, orders) or streams them
(contacts, referrals, sessions) straight into the database: PostgreSQL's COPY through psycopg 3,
or ``executemany`` on SQLite for small runs. Primary keys are assigned here, sequences are reset
at the end, and django-simple-history's tables are left empty (history records edits made
through the application, not a bulk load).

Feature apps' models are reached through ``django.apps`` so ``bapas`` imports none of them.
Every bench login shares the password ``BENCH_PASSWORD`` and a predictable address:
``pk1@office1.bench.local``, ``kasubsi@office1.bench.local``, ``mitra1@office1.bench.local``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

from .common import BENCH_DOMAIN, BENCH_PASSWORD, ScaleOptions, model, office_email
from .seeder import Seeder

__all__ = ["BENCH_DOMAIN", "BENCH_PASSWORD", "ScaleOptions", "Seeder", "foreign_users",
           "holds_scale_data", "office_email", "reset", "seed"]


def holds_scale_data() -> bool:
    return model("bapas.User").objects.filter(email__endswith=f".{BENCH_DOMAIN}").exists()


def foreign_users() -> int:
    """Accounts seed_scale did not create (a reset would delete them)."""
    return (model("bapas.User").objects.exclude(email__endswith=f".{BENCH_DOMAIN}")
            .exclude(email=f"admin@{BENCH_DOMAIN}").count())


def seed(options: ScaleOptions, log: Callable[[str], None]) -> list[tuple[str, int, float]]:
    return Seeder(options, log).run()


def reset(log: Callable[[str], None]) -> None:
    """Empty every table of the project's apps except reference data (regions, services).

    Used by ``seed_scale --reset`` on a benchmark database only (the command checks first).
    """
    keep = {"clients_province", "clients_regency", "clients_district", "clients_village",
            "partners_service", "partners_historicalservice"}
    labels = {"bapas", "clients", "partners", "meetings", "reports", "sessions", "account",
              "mfa", "admin"}
    tables = sorted({
        m._meta.db_table for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in labels and m._meta.db_table not in keep and m._meta.managed
    })
    started = time.perf_counter()
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True,
                                          allow_cascade=connection.vendor == "postgresql")
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    log(f"  emptied {len(tables)} tables in {time.perf_counter() - started:.1f} s")
