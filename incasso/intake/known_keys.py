"""Which of a chunk's keys a client already has: one index probe per key, whatever the planner believes.

Intake asks this per chunk for invoice numbers (claims), debtor references and credit-note numbers, each unique per
client. Asked as ``client_id = X AND number = ANY(array)``, PostgreSQL weighs the array's length against what its
statistics say the client holds, and picks one of three plans:

- the client's statistics are current and large: one parallel scan of the whole claims table (every client's rows)
  per chunk;
- the client's statistics are stale (its claims were written since the last ``ANALYZE``, as in the middle of its
  first big import): the index on the client alone, reading every claim the client has per chunk, which makes a
  large import quadratic; when the array is a sub-select (``AnyKey``) the filter is not even hashed, and one chunk
  of 20,000 numbers against 500,000 claims took six minutes;
- only when the statistics happen to favour it: probing the (client, key) index per number.

A lateral sub-select that cannot be pulled up (``OFFSET 0``) leaves only the last: a nested loop over the chunk's
keys, each looked up on the unique (client, key) index. The array's length is hidden from the planner (a sub-select
of it) so the plan's estimate does not grow with the chunk and turn on JIT compilation, which costs more than the
lookups. SQLite finds ``client = X AND key IN (...)`` on the same index by itself, so there the ORM asks.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import F

from incasso.core.bulk_insert import AnyOf, array_literal


def rows_for_keys(
    model: type[models.Model],
    *,
    client_id: int,
    key: str,
    keys: Collection[str],
    columns: Sequence[str],
) -> list[tuple[Any, ...]]:
    """The ``columns`` (attribute names, e.g. ``case_id``) of ``model``'s rows of client ``client_id`` whose field
    ``key`` is one of ``keys``. (client, ``key``) must be unique and indexed on ``model``."""
    if not keys:
        return []
    if connection.vendor != "postgresql":
        rows = model._default_manager.filter(AnyOf(F(key), keys), client_id=client_id).values_list(*columns)
        return list(rows)
    meta = model._meta
    quote = connection.ops.quote_name
    key_column, key_type = _column(model, key), meta.get_field(key).db_type(connection)  # type: ignore[union-attr]
    selected = ", ".join(quote(_column(model, name)) for name in columns)
    sql = (
        f"SELECT found.* FROM unnest(ARRAY(SELECT unnest(%s::{key_type}[]))) AS wanted(key) "  # noqa: S608 - names from the model, values bound
        f"CROSS JOIN LATERAL (SELECT {selected} FROM {quote(meta.db_table)} "
        f"WHERE {quote(_column(model, 'client_id'))} = %s AND {quote(key_column)} = wanted.key "
        "OFFSET 0) AS found"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [array_literal(keys), client_id])
        return list(cursor.fetchall())


def _column(model: type[models.Model], name: str) -> str:
    """The database column of ``model``'s field ``name`` (an attribute name such as ``case_id`` will do; ``pk``)."""
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise ValueError(f"{model._meta.label} has no column for {name!r}")
    return column
