"""Bulk writer for the benchmark data generator: rows as tuples with explicit ids.

PostgreSQL gets COPY FROM STDIN (hundreds of thousands of rows a second); SQLite gets one
executemany per batch. Columns the generator does not give take the model field's default,
computed once per table, so a new field with a default does not break the generator.
"""

from __future__ import annotations

import datetime
import decimal
import io
import json
from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.utils import timezone

BATCH = 20_000


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (int, float, decimal.Decimal)):
        return str(value)
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    return (str(value).replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\n", "\\n").replace("\r", "\\r"))


def _sqlite_value(value):
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


class TableWriter:
    """Collects tuples for one model's table and writes them in batches."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        self.table = model._meta.db_table
        given = set(columns)
        extra_cols, extra_vals = [], []
        now = timezone.now()
        for f in model._meta.concrete_fields:
            if f.attname in given:
                continue
            if f.primary_key:
                raise ValueError(f"{self.table}: the generator must give ids explicitly")
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:
                value = f.get_default()  # "" for text fields without a default, None otherwise
                if value is None and not f.null:
                    raise ValueError(f"{self.table}.{f.attname} has no default: the generator must give it")
            extra_cols.append(f.column)
            extra_vals.append(value)
        column_of = {f.attname: f.column for f in model._meta.concrete_fields}
        self.columns = [column_of[c] for c in columns] + extra_cols
        self.extra = tuple(extra_vals)
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, *values) -> None:
        self.rows.append(values)
        if len(self.rows) >= BATCH:
            self.flush()

    def extend(self, rows: Iterable[tuple]) -> None:
        for row in rows:
            self.add(*row)

    def flush(self) -> None:
        if not self.rows:
            return
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                buf = io.StringIO()
                for row in self.rows:
                    buf.write("\t".join(_copy_text(v) for v in row + self.extra))
                    buf.write("\n")
                buf.seek(0)
                cursor.copy_expert(f"COPY {connection.ops.quote_name(self.table)} ({cols}) FROM STDIN", buf)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {connection.ops.quote_name(self.table)} ({cols}) VALUES ({marks})",
                    [tuple(_sqlite_value(v) for v in row + self.extra) for row in self.rows],
                )
        self.written += len(self.rows)
        self.rows = []


def next_id(model: type[models.Model]) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    """After explicit ids, PostgreSQL's identity sequences must move past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))",
                [table],
            )
