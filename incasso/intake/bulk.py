"""Set-based inserts: PostgreSQL ``COPY`` where available, ``bulk_create`` elsewhere.

``COPY`` is about twenty times faster than multi-row ``INSERT`` on PostgreSQL, which is what makes a
million-claim import take seconds rather than minutes. The primary keys are reserved from the table's sequence
first (one query), so rows that refer to each other (claim -> case -> debtor) can be copied in one go.
Columns the caller does not give get the model field's default, so a field another app adds later with a
default needs no change here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Lookup
from django.db.models.fields import NOT_PROVIDED
from django.db.models.sql.compiler import SQLCompiler

# Rows per INSERT statement on other databases (SQLite allows 32,766 parameters per statement).
BULK_BATCH_SIZE = 500


class AnyOf(Lookup):  # type: ignore[type-arg]  # generic only to mypy
    """``field IN (values)`` for a chunk's worth of values: on PostgreSQL ``field = ANY(%s)`` with one array
    parameter, which spares building and parsing a statement with thousands of placeholders.

    Used as ``Model.objects.filter(AnyOf(F("field"), values))``.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            return "1 = 0", []
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*params, *values]

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        db_type = self.lhs.output_field.db_type(connection)
        return f"{lhs} = ANY(%s::{db_type}[])", [*params, array_literal(self.rhs)]


def array_literal(values: Iterable[object]) -> str:
    """A PostgreSQL array literal (``{"a","b"}``), built here because the driver quotes list elements one by one
    in Python, which costs more than the query itself for a chunk of thousands."""
    items = [str(value) for value in values]
    text = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    if "\\" not in text:
        # JSON quotes every element in double quotes and escapes nothing else here: that is an array literal too.
        return "{" + text[1:-1] + "}"
    quoted = (item.replace("\\", "\\\\").replace('"', '\\"') for item in items)
    return "{" + ",".join(f'"{item}"' for item in quoted) + "}"


def rows_insert(
    model: type[models.Model], attnames: Sequence[str], rows: list[tuple[Any, ...]], *, returning: bool = True
) -> list[int]:
    """Insert ``rows`` (values in the order of ``attnames``) and return their new primary keys, in order.

    With ``returning=False`` the keys are not needed: PostgreSQL then numbers the rows itself and the list is empty.
    """
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _copy(model, attnames, rows, returning=returning)
    objects = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
    model._default_manager.bulk_create(objects, batch_size=BULK_BATCH_SIZE)
    return [int(obj.pk) for obj in objects] if returning else []


def _defaulted_fields(model: type[models.Model], attnames: Sequence[str]) -> list[models.Field[Any, Any]]:
    given = set(attnames)
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.attname not in given and field.db_default is NOT_PROVIDED
    ]


def _copy(
    model: type[models.Model], attnames: Sequence[str], rows: list[tuple[Any, ...]], *, returning: bool
) -> list[int]:
    meta = model._meta
    pk = meta.pk
    assert pk is not None  # noqa: S101 - every concrete model has one; this narrows the type
    defaulted = _defaulted_fields(model, attnames)
    defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in defaulted)
    by_attname = {field.attname: field for field in meta.concrete_fields}
    columns = [by_attname[name].column for name in attnames] + [field.column for field in defaulted]
    quote = connection.ops.quote_name
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning:
            ids = _keys_reserve(cursor, meta.db_table, pk.column, len(rows))
            columns.insert(0, pk.column)
        statement = f"COPY {quote(meta.db_table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"
        with cursor.copy(statement) as copy:
            write = copy.write_row
            if returning:
                for pk_value, row in zip(ids, rows, strict=True):
                    write((pk_value, *row, *defaults))
            else:
                for row in rows:
                    write((*row, *defaults))
    return ids


def _keys_reserve(cursor: Any, table: str, column: str, count: int) -> list[int]:
    """``count`` fresh primary keys from the table's sequence, in one round trip.

    The keys are drawn with nextval(), so they are never handed to anyone else; usually they are consecutive and
    only the first and last travel back, otherwise (another session drew keys at the same moment) all of them.
    The sequence is looked up once, not per row.
    """
    cursor.execute(
        "SELECT min(key), max(key), CASE WHEN max(key) - min(key) + 1 = count(*) THEN NULL ELSE array_agg(key) END"
        " FROM (SELECT nextval(sequence.id) AS key"
        " FROM (SELECT pg_get_serial_sequence(%s, %s)::regclass AS id) AS sequence, generate_series(1, %s)) AS keys",
        [table, column, count],
    )
    first, last, scattered = cursor.fetchone()
    return [int(key) for key in scattered] if scattered is not None else list(range(int(first), int(last) + 1))
