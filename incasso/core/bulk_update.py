"""Set-based updates of many rows to different values, without Django's ``bulk_update``.

``QuerySet.bulk_update`` builds one ``CASE WHEN pk = ... THEN ...`` expression per row and resolves each through
the ORM; for a daily run over a million cases that is most of the run's time. Here rows that get the same value
share one ``UPDATE ... WHERE pk IN (...)``, and rows with many different values are written through one
``UPDATE ... FROM (VALUES ...)`` join per batch (PostgreSQL and SQLite 3.33+ both support it). On PostgreSQL
every row goes through one ``UPDATE ... FROM unnest(keys, values, ...)`` with one array parameter per column,
which spares the driver quoting thousands of parameters one by one.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from django.db import connection, models

from incasso.core.bulk_insert import array_literal

BATCH = 1_000
# Above this many distinct values a VALUES join beats one UPDATE per value.
DISTINCT_VALUES_FOR_JOIN = 20


def values_update(model: type[models.Model], field_name: str, values: Mapping[int, Hashable]) -> int:
    """Set ``field_name`` of each row (by primary key) to its value; returns the number of rows given."""
    if not values:
        return 0
    by_value: dict[Hashable, list[int]] = {}
    for pk, value in values.items():
        by_value.setdefault(value, []).append(pk)
    if connection.vendor == "postgresql" or len(by_value) > DISTINCT_VALUES_FOR_JOIN:
        return rows_update(model, (field_name,), {pk: (value,) for pk, value in values.items()})
    for value, pks in by_value.items():
        for start in range(0, len(pks), BATCH):
            model._default_manager.filter(pk__in=pks[start : start + BATCH]).update(**{field_name: value})
    return len(values)


def rows_update(model: type[models.Model], field_names: Sequence[str], rows: Mapping[int, tuple[Hashable, ...]]) -> int:
    """Set the fields ``field_names`` of each row (by primary key) to its values, in that order, in one join per
    batch (PostgreSQL: one statement); returns the number of rows given. Each row is written once, whatever the
    number of fields, which on PostgreSQL is one new row version instead of one per field."""
    if not rows:
        return 0
    fields = [_concrete_field(model, name) for name in field_names]
    pk = model._meta.pk
    assert pk is not None  # noqa: S101 - every concrete model has one; this narrows the type
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    assignments = ", ".join(f"{quote(field.column)} = v.value{index}" for index, field in enumerate(fields))
    prepared = _prepared(fields, rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
            names = ", ".join(f"value{index}" for index in range(len(fields)))
            cursor.execute(
                f"UPDATE {table} SET {assignments} "  # noqa: S608 - names come from the model, values are params
                f"FROM unnest(%s::{pk.db_type(connection)}[], {arrays}) AS v(row_id, {names}) "
                f"WHERE {table}.{quote(pk.column)} = v.row_id",
                [
                    array_literal(prepared),
                    *(array_literal(row[index] for row in prepared.values()) for index in range(len(fields))),
                ],
            )
            return len(rows)
        # VALUES columns are column1, column2... on both databases; SQLite allows no column aliases on VALUES.
        aliases = ", ".join(f"column{index + 2} AS value{index}" for index in range(len(fields)))
        placeholder = f"({', '.join(['%s'] * (len(fields) + 1))})"
        items = list(prepared.items())
        for start in range(0, len(items), BATCH):
            batch = items[start : start + BATCH]
            cursor.execute(
                f"UPDATE {table} SET {assignments} "  # noqa: S608 - names come from the model, values are params
                f"FROM (SELECT column1 AS row_id, {aliases} FROM (VALUES {', '.join([placeholder] * len(batch))}) "
                f"AS rows_) AS v WHERE {table}.{quote(pk.column)} = v.row_id",
                [value for key, row in batch for value in (key, *row)],
            )
    return len(rows)


def _prepared(
    fields: list[models.Field[Any, Any]], rows: Mapping[int, tuple[Hashable, ...]]
) -> dict[int, tuple[Any, ...]]:
    """The values as the database takes them, each distinct value converted once (most rows share a few)."""
    converted: list[dict[Hashable, Any]] = [{} for _ in fields]
    result: dict[int, tuple[Any, ...]] = {}
    for pk, row in rows.items():
        values = []
        for field, cache, value in zip(fields, converted, row, strict=True):
            if value not in cache:
                cache[value] = field.get_db_prep_save(value, connection)
            values.append(cache[value])
        result[pk] = tuple(values)
    return result


def _concrete_field(model: type[models.Model], field_name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(field_name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{field_name} is not a concrete field")
    return field
