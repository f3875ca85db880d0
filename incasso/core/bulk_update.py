"""Set-based updates of many rows to different values, without Django's ``bulk_update``.

``QuerySet.bulk_update`` builds one ``CASE WHEN pk = ... THEN ...`` expression per row and resolves each through
the ORM; for a daily run over a million cases that is most of the run's time. Here rows that get the same value
share one ``UPDATE ... WHERE pk IN (...)``, and rows with many different values are written through one
``UPDATE ... FROM (VALUES ...)`` join per batch (PostgreSQL and SQLite 3.33+ both support it).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from django.db import connection, models

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
    if len(by_value) <= DISTINCT_VALUES_FOR_JOIN:
        for value, pks in by_value.items():
            for start in range(0, len(pks), BATCH):
                model._default_manager.filter(pk__in=pks[start : start + BATCH]).update(**{field_name: value})
        return len(values)
    _values_join_update(model, field_name, list(values.items()))
    return len(values)


def _values_join_update(model: type[models.Model], field_name: str, rows: list[tuple[int, Any]]) -> None:
    field = model._meta.get_field(field_name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{field_name} is not a concrete field")
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(field.column)
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    cast = f"::{field.db_type(connection)}" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            placeholders = ", ".join([f"(%s, %s{cast})"] * len(batch))
            params: list[Any] = []
            for pk, value in batch:
                params.extend((pk, field.get_db_prep_save(value, connection)))
            cursor.execute(
                # VALUES columns are column1, column2 on both databases; SQLite allows no column aliases on VALUES.
                f"UPDATE {table} SET {column} = v.new_value "  # noqa: S608 - names come from the model, values are params
                f"FROM (SELECT column1 AS row_id, column2 AS new_value FROM (VALUES {placeholders}) AS rows_) AS v "
                f"WHERE {table}.{pk_column} = v.row_id",
                params,
            )
