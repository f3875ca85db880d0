"""Linking checked entries onto the chain and storing them: the one place that writes audit rows.

On PostgreSQL one statement does a small append: ``SELECT … FROM audit_append(…)`` (migration 0003) locks the chain
head, hashes each entry onto it, inserts the rows and moves the head, one round trip for a request's audit row;
the database never sees a hash Python did not define (``domain.audit_chain.link_hash``). Large batches, and every
append elsewhere (SQLite), lock the head, have Python compute the same links and write them by COPY (multi-row
INSERT on SQLite) in three statements; on SQLite the database's write lock, taken when the transaction began,
serialises appends.

No model instances are built: at thousands of entries a batch their construction cost more than the database's work.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection

from incasso.audit.chain import COLUMNS
from incasso.audit.models import AuditChainHead, AuditEvent
from incasso.core.bulk_insert import rows_insert
from incasso.domain.audit_chain import GENESIS_HASH, HASH_LENGTH, ChainEntry, JSONValue, link_hash

Content = Mapping[str, JSONValue]

# The contents travel as one JSON array of their canonical texts; this is transport only, not what is hashed.
_PAYLOAD = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_APPEND = "SELECT first_sequence, first_prev_hash, hashes FROM audit_append(%s::jsonb)"
_HEAD = AuditChainHead._meta.db_table


# From this many entries the function's per-row work (a PL/pgSQL loop, each entry's JSON parsed in the database)
# costs more than the two extra round trips of chaining here and writing by COPY: about 100 µs against 15 µs an
# entry at the thousands of entries a claim import, a daily-run chunk or a retention sweep appends at once.
IN_DATABASE_BELOW = 500


def append_statements() -> int:
    """The statements an append of fewer than ``IN_DATABASE_BELOW`` entries runs, for query-count budgets: one on
    PostgreSQL, three elsewhere (and for larger batches on PostgreSQL)."""
    return 1 if connection.vendor == "postgresql" else 3


def chain_append(contents: Sequence[Content], texts: Sequence[str]) -> list[ChainEntry]:
    """Append entries (``contents`` as ``chain.content_build`` builds them, ``texts`` their canonical JSON) in order
    and return the links written. Runs in the caller's transaction. Every column is written from the content that
    is hashed, on both paths, so a row holds exactly what its hash covers."""
    if connection.vendor == "postgresql" and len(contents) < IN_DATABASE_BELOW:
        return _append_in_database(contents, texts)
    return _append_here(contents, texts)


def _append_in_database(contents: Sequence[Content], texts: Sequence[str]) -> list[ChainEntry]:
    payload = _PAYLOAD(list(texts))
    with connection.cursor() as cursor:
        cursor.execute(_APPEND, [payload])
        first, prev_hash, hashes = cursor.fetchone()
        if first is None:  # no head yet: make it, then append
            _head_make()
            cursor.execute(_APPEND, [payload])
            first, prev_hash, hashes = cursor.fetchone()
    links = []
    for index, content in enumerate(contents):
        digest = hashes[index * HASH_LENGTH : (index + 1) * HASH_LENGTH]
        links.append(ChainEntry(first + index, content, prev_hash, digest))
        prev_hash = digest
    return links


def _append_here(contents: Sequence[Content], texts: Sequence[str]) -> list[ChainEntry]:
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_sequence, last_hash FROM {_HEAD} WHERE id = 1{lock}")  # noqa: S608 - a model's table
        head = cursor.fetchone()
    sequence, prev_hash = head if head is not None else _head_make()
    # A batch's entries share their fields and details objects (``services._Encoder``): rows_insert encodes each
    # shared JSON value once.
    rows: list[tuple[Any, ...]] = []
    links = []
    moments: dict[JSONValue, datetime.datetime] = {}  # a batch has one moment: parse it once
    for content, text in zip(contents, texts, strict=True):
        sequence += 1
        stamp = content["occurred_at"]
        digest = link_hash(sequence=sequence, content_json=text.encode("utf-8"), prev_hash=prev_hash)
        rows.append(
            (
                sequence,
                moments.get(stamp) or moments.setdefault(stamp, datetime.datetime.fromisoformat(str(stamp))),
                content["actor_id"],
                content["actor_label"],
                content["action"],
                content["subject_type"],
                content["subject_id"],
                content["fields"],
                content["purpose"],
                content["source"],
                content["details"],
                prev_hash,
                digest,
            )
        )
        links.append(ChainEntry(sequence, content, prev_hash, digest))
        prev_hash = digest
    rows_insert(AuditEvent, COLUMNS, rows, returning=False)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_HEAD} SET last_sequence = %s, last_hash = %s WHERE id = 1",  # noqa: S608 - a model's table
            [sequence, prev_hash],
        )
    return links


def _head_make() -> tuple[int, str]:
    """Make the chain head, which the test runner's flush empties: from the newest row where rows exist, rather than
    forking from the genesis. Two transactions making it at once: the second waits and then finds the first's."""
    newest = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    last_sequence, last_hash = newest if newest else (0, GENESIS_HASH)
    head, _made = AuditChainHead.objects.get_or_create(
        pk=1, defaults={"last_sequence": last_sequence, "last_hash": last_hash}
    )
    return head.last_sequence, head.last_hash
