"""Bulk loading of tuples: COPY through psycopg 3 on PostgreSQL, ``executemany`` elsewhere.

On PostgreSQL the load runs the way restores do: secondary indexes are dropped before a table's
COPY and built again after it (one sorted build instead of millions of inserts), and, when the
role may (a superuser), foreign-key triggers are off for the transaction
(``session_replication_role = replica``) and every foreign key is checked afterwards with one
anti-join per column. Django creates its foreign keys DEFERRABLE INITIALLY DEFERRED, so left on
they would queue one check per row until COMMIT. All of it is one transaction: a failure leaves
the database as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from django.db import DatabaseError, connection, models, transaction


class Table:
    """Column layout of one model for bulk loading: the given fields, then the defaults of the
    rest (so a field another app adds later with a default does not break the seed)."""

    def __init__(self, model_cls: type[models.Model], names: list[str]):
        self.model = model_cls
        meta = model_cls._meta
        self.fields = [meta.get_field(name) for name in names]
        given = {f.name for f in self.fields}
        self.extra_fields = []
        self.extra_values: tuple = ()
        extra = []
        for f in meta.concrete_fields:
            if f.name in given:
                continue
            value = f.get_default() if f.has_default() else (None if f.null else f.get_default())
            if value is None and not f.null:
                raise ValueError(f"{meta.label}.{f.name} has no default: seed_scale must set it")
            self.extra_fields.append(f)
            extra.append(f.get_db_prep_save(value, connection))
        self.extra_values = tuple(extra)
        self.columns = [f.column for f in self.fields + self.extra_fields]
        self.db_table = meta.db_table


class Loader:
    """Bulk insert of tuples: COPY on PostgreSQL, executemany elsewhere. Counts and times."""

    def __init__(self, log: Callable[[str], None]):
        self.log = log
        self.timings: list[tuple[str, int, float]] = []
        self.postgres = connection.vendor == "postgresql"
        self.triggers_off = False

    def begin(self) -> None:
        """Session settings for a bulk load; call inside the loading transaction."""
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            try:
                with transaction.atomic():
                    cursor.execute("SET LOCAL session_replication_role = replica")
                self.triggers_off = True
            except DatabaseError:
                self.log("  (not a superuser: foreign keys are checked row by row)")

    def check_foreign_keys(self, loaded: list[type[models.Model]]) -> None:
        """With triggers off, prove every loaded foreign key points at a row; raise otherwise."""
        if not self.triggers_off:
            return
        started = time.perf_counter()
        checked = 0
        with connection.cursor() as cursor:
            for model_cls in loaded:
                for f in model_cls._meta.concrete_fields:
                    if not f.is_relation or not getattr(f, "db_constraint", False):
                        continue
                    parent = f.related_model._meta.db_table
                    target = f.target_field.column
                    cursor.execute(
                        # Table and column names come from the models' metadata, not input.
                        f'SELECT count(*) FROM "{model_cls._meta.db_table}" c '  # noqa: S608
                        f'WHERE c."{f.column}" IS NOT NULL AND NOT EXISTS '
                        f'(SELECT 1 FROM "{parent}" p WHERE p."{target}" = c."{f.column}")'
                    )
                    missing = cursor.fetchone()[0]
                    checked += 1
                    if missing:
                        raise RuntimeError(f"{missing} rows of {model_cls._meta.label}."
                                           f"{f.name} point at nothing")
        elapsed = time.perf_counter() - started
        self.timings.append(("(foreign key checks)", checked, elapsed))
        self.log(f"  checked {checked} foreign keys {elapsed:8.1f} s")

    def _secondary_indexes(self, db_table: str) -> list[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ci.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ci ON ci.oid = i.indexrelid "
                "WHERE c.relname = %s AND c.relkind = 'r' AND NOT i.indisprimary "
                "AND NOT i.indisunique AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
                [db_table],
            )
            return cursor.fetchall()

    def load(self, model_cls, names: list[str], rows: Iterable[tuple]) -> int:
        table = Table(model_cls, names)
        started = time.perf_counter()
        count = self._copy(table, rows) if self.postgres else self._insert(table, rows)
        elapsed = time.perf_counter() - started
        self.timings.append((table.db_table, count, elapsed))
        rate = count / elapsed if elapsed else 0
        self.log(f"  {table.db_table:<42} {count:>10,} rows {elapsed:8.1f} s "
                 f"({rate:,.0f}/s)")
        return count

    def _copy(self, table: Table, rows: Iterable[tuple]) -> int:
        connection.ensure_connection()
        indexes = self._secondary_indexes(table.db_table)
        with connection.cursor() as cursor:
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        extra = table.extra_values
        count = 0
        columns = ", ".join(f'"{column}"' for column in table.columns)
        sql = f'COPY "{table.db_table}" ({columns}) FROM STDIN'
        with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
            write = copy.write_row
            for row in rows:
                write(row + extra)
                count += 1
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                cursor.execute(definition)
        return count

    def _insert(self, table: Table, rows: Iterable[tuple]) -> int:
        ops = connection.ops
        adapters = []
        for f in table.fields:
            internal = f.get_internal_type()
            if internal == "DateTimeField":
                adapters.append(ops.adapt_datetimefield_value)
            elif internal == "DateField":
                adapters.append(ops.adapt_datefield_value)
            else:
                adapters.append(None)
        quoted = ", ".join(connection.ops.quote_name(c) for c in table.columns)
        marks = ", ".join(["%s"] * len(table.columns))
        name = connection.ops.quote_name(table.db_table)
        sql = f"INSERT INTO {name} ({quoted}) VALUES ({marks})"  # noqa: S608 (model metadata)
        extra = table.extra_values
        count = 0
        batch: list[tuple] = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append(tuple(
                    value if adapt is None or value is None else adapt(value)
                    for value, adapt in zip(row, adapters, strict=True)
                ) + extra)
                if len(batch) >= 2000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count
