"""Bulk loading of tuples: COPY through psycopg 3 on PostgreSQL, ``executemany`` elsewhere."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from django.db import connection, models


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
        extra = table.extra_values
        count = 0
        columns = ", ".join(f'"{column}"' for column in table.columns)
        sql = f'COPY "{table.db_table}" ({columns}) FROM STDIN'
        with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
            write = copy.write_row
            for row in rows:
                write(row + extra)
                count += 1
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
