"""Set-based inserts: PostgreSQL ``COPY`` where available, plain multi-row ``INSERT`` elsewhere.

``COPY`` is about twenty times faster than multi-row ``INSERT`` on PostgreSQL, which is what makes a
million-claim import take seconds rather than minutes. The primary keys are reserved from the table's sequence
first (one query), so rows that refer to each other (claim -> case -> debtor) can be copied in one go.
Columns the caller does not give get the model field's default, so a field another app adds later with a
default needs no change here. No model instances are built: at a million rows their construction alone would
cost more than the database's work.

``ignore_conflicts`` keeps ``bulk_create``'s meaning (a row that meets a unique constraint is skipped): on
PostgreSQL that is one ``INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING`` with an array per column.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Lookup
from django.db.models.expressions import RawSQL
from django.db.models.fields import NOT_PROVIDED
from django.db.models.sql.compiler import SQLCompiler

# Parameters per INSERT statement on other databases (SQLite allows 32,766).
MAX_PARAMETERS = 30_000
# Values the drivers take as they are; anything else goes through the field's own conversion.
_PLAIN = frozenset({int, str, bool, float, bytes, type(None)})
# Fields whose values (text, whole numbers, keys, or None) both drivers take as they are.
_DRIVER_READY = frozenset(
    {"CharField", "TextField", "SlugField", "IntegerField", "BigIntegerField", "SmallIntegerField", "ForeignKey"}
)


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
        if not all(type(value) in _PLAIN for value in values):  # e.g. UUIDs, which SQLite stores as hex
            prep = self.lhs.output_field.get_db_prep_value
            values = [prep(value, connection, prepared=False) for value in values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*params, *values]

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        db_type = self.lhs.output_field.db_type(connection)
        return f"{lhs} = ANY(%s::{db_type}[])", [*params, array_literal(self.rhs)]


class AnyKey(AnyOf):
    """``field IN (values)`` or ``field IN (subquery)`` for a chunk of keys of rows spread over a large table, planned
    as index lookups whatever the statistics say.

    On PostgreSQL ``field = ANY(ARRAY(...))``: the planner cannot see the array's length (it assumes ten), so it
    probes the field's index per key. Shown the length (``AnyOf``, ``IN``), it weighs thousands of random reads
    against one scan of the table and, at the default ``random_page_cost`` or without statistics, scans the whole
    table once per chunk, which makes a chunked job over a large table quadratic (the retention sweep).
    """

    lookup_name = "any_key"

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        if not hasattr(self.rhs, "as_sql"):
            return super().as_sql(compiler, connection)
        lhs, params = self.process_lhs(compiler, connection)
        subquery, subquery_params = compiler.compile(self.rhs)
        return f"{lhs} IN {subquery}", [*params, *subquery_params]

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        if hasattr(self.rhs, "as_sql"):
            subquery, subquery_params = compiler.compile(self.rhs)
            return f"{lhs} = ANY(ARRAY{subquery})", [*params, *subquery_params]
        db_type = self.lhs.output_field.db_type(connection)
        return f"{lhs} = ANY(ARRAY(SELECT unnest(%s::{db_type}[])))", [*params, array_literal(self.rhs)]


def keys_once(model: type[models.Model], keys: Sequence[object]) -> Any:
    """Primary keys of ``model`` for ``AnyKey``'s right-hand side in many statements of one chunk, turned into SQL
    text once (a list is turned into text per statement, which for thousands of keys costs more in Python than the
    statement costs the database). On PostgreSQL a subquery over one array; elsewhere the list itself."""
    pk = model._meta.pk
    if connection.vendor != "postgresql" or pk is None:
        return list(keys)
    return RawSQL(f"SELECT unnest(%s::{pk.db_type(connection)}[])", [array_literal(keys)])  # noqa: S611 - the type is the model's, the keys a parameter


def array_literal(values: Iterable[object]) -> str:
    """A PostgreSQL array literal (``{"a","b"}``), built here because the driver quotes list elements one by one
    in Python, which costs more than the query itself for a chunk of thousands. ``None`` is an SQL NULL."""
    items = [None if value is None else str(value) for value in values]
    text = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    if "\\" not in text:
        # JSON quotes every element in double quotes and escapes nothing else here: that is an array literal too
        # (and JSON's bare ``null`` is the array literal's NULL).
        return "{" + text[1:-1] + "}"
    quoted = ("NULL" if item is None else '"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"' for item in items)
    return "{" + ",".join(quoted) + "}"


def rows_insert(
    model: type[models.Model],
    attnames: Sequence[str],
    rows: list[tuple[Any, ...]],
    *,
    returning: bool = True,
    ignore_conflicts: bool = False,
) -> list[int]:
    """Insert ``rows`` (values in the order of ``attnames``) and return their new primary keys, in order.

    With ``returning=False`` the keys are not needed and the list is empty. With ``ignore_conflicts`` a row that
    meets a unique constraint is skipped and its key left out, so fewer keys than rows means some were skipped.
    """
    if not rows:
        return []
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    defaulted = _defaulted_fields(model, attnames)
    defaults = tuple(_database_value(field, field.get_default()) for field in defaulted)
    prepared = _prepared_rows([by_attname[name] for name in attnames], rows, defaults)
    columns = [by_attname[name].column for name in attnames] + [field.column for field in defaulted]
    if connection.vendor != "postgresql":
        return _insert(model, columns, prepared, returning=returning, ignore_conflicts=ignore_conflicts)
    if ignore_conflicts:
        return _unnest_insert(model, columns, prepared, returning=returning)
    return _copy(model, columns, prepared, returning=returning)


def _defaulted_fields(model: type[models.Model], attnames: Sequence[str]) -> list[models.Field[Any, Any]]:
    given = set(attnames)
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.attname not in given and field.db_default is NOT_PROVIDED
    ]


def _prepared_rows(
    fields: list[models.Field[Any, Any]], rows: list[tuple[Any, ...]], defaults: tuple[Any, ...]
) -> list[tuple[Any, ...]]:
    """The rows as the driver takes them, followed by the defaults of the fields not given.

    Only values the driver cannot take as they are go through the field's conversion, once per distinct value;
    JSON is encoded here, so both databases receive text.
    """
    steps = [(index, convert) for index, field in enumerate(fields) if (convert := _converter(field)) is not None]
    if not steps:
        return [(*row, *defaults) for row in rows] if defaults else rows
    prepared = []
    for row in rows:
        values = list(row)
        for index, convert in steps:
            values[index] = convert(values[index])
        prepared.append((*values, *defaults))
    return prepared


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a value of ``field`` becomes the driver's; None when both drivers take text and numbers as they are."""
    if isinstance(field, models.JSONField):
        # One encoder for all rows: ``json.dumps(value, cls=...)`` would build one per value, for the same text.
        # A value many rows share (one dict or list object, as a bulk job's rows often do) is encoded once: the rows
        # hold it for the whole call, so its ``id`` names it until the insert is done.
        encode = (field.encoder or json.JSONEncoder)().encode
        encoded: dict[int, str] = {}

        def to_json(value: Any) -> Any:
            if value is None:
                return None
            try:
                return encoded[id(value)]
            except KeyError:
                text = encoded[id(value)] = encode(value)
                return text

        return to_json
    if field.get_internal_type() in _DRIVER_READY:
        return None
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        if type(value) in _PLAIN:
            return value
        try:
            return seen[value]
        except KeyError:
            seen[value] = converted = _database_value(field, value)
            return converted
        except TypeError:  # not hashable: convert it every time
            return _database_value(field, value)

    return convert


def _database_value(field: models.Field[Any, Any], value: Any) -> Any:
    if isinstance(field, models.JSONField):
        return None if value is None else json.dumps(value, cls=field.encoder)
    return field.get_db_prep_save(value, connection)


def _insert(
    model: type[models.Model],
    columns: list[str],
    rows: list[tuple[Any, ...]],
    *,
    returning: bool,
    ignore_conflicts: bool,
) -> list[int]:
    meta = model._meta
    pk = meta.pk
    assert pk is not None  # noqa: S101 - every concrete model has one; this narrows the type
    quote = connection.ops.quote_name
    verb = "INSERT OR IGNORE" if ignore_conflicts else "INSERT"
    head = f"{verb} INTO {quote(meta.db_table)} ({', '.join(quote(column) for column in columns)}) VALUES "
    one = f"({', '.join(['%s'] * len(columns))})"
    ids: list[int] = []
    with connection.cursor() as cursor:
        if not returning:
            cursor.executemany(head + one, rows)
            return ids
        per_statement = max(1, MAX_PARAMETERS // len(columns))
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            cursor.execute(
                f"{head}{', '.join([one] * len(batch))} RETURNING {quote(pk.column)}",
                [value for row in batch for value in row],
            )
            ids.extend(int(key) for (key,) in cursor.fetchall())
    return ids


def _copy(model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]], *, returning: bool) -> list[int]:
    meta = model._meta
    pk = meta.pk
    assert pk is not None  # noqa: S101 - every concrete model has one; this narrows the type
    quote = connection.ops.quote_name
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning:
            ids = _keys_reserve(cursor, meta.db_table, pk.column, len(rows))
            columns = [pk.column, *columns]
        statement = f"COPY {quote(meta.db_table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"
        with cursor.copy(statement) as copy:
            write = copy.write_row
            if returning:
                for key, row in zip(ids, rows, strict=True):
                    write((key, *row))
            else:
                for row in rows:
                    write(row)
    return ids


def _unnest_insert(
    model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]], *, returning: bool
) -> list[int]:
    """``INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING``: one statement with one array parameter per
    column (COPY cannot skip conflicts). With keys reserved first, the keys that come back say which rows went in."""
    meta = model._meta
    pk = meta.pk
    assert pk is not None  # noqa: S101 - every concrete model has one; this narrows the type
    quote = connection.ops.quote_name
    by_column = {field.column: field for field in meta.concrete_fields}
    columns_in = list(columns)
    arrays = [array_literal(row[index] for row in rows) for index in range(len(columns))]
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning:
            ids = _keys_reserve(cursor, meta.db_table, pk.column, len(rows))
            columns_in = [pk.column, *columns_in]
            arrays = [array_literal(ids), *arrays]
        casts = ", ".join(f"%s::{by_column[column].db_type(connection)}[]" for column in columns_in)
        column_list = ", ".join(quote(column) for column in columns_in)
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({column_list}) SELECT * FROM unnest({casts}) "  # noqa: S608 - names come from the model, values are params
            f"ON CONFLICT DO NOTHING" + (f" RETURNING {quote(pk.column)}" if returning else ""),
            arrays,
        )
        if returning:
            inserted = {int(key) for (key,) in cursor.fetchall()}
            ids = [key for key in ids if key in inserted]
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
