"""The outbox of outside calls still to make: queued when a service is down, retried until they succeed.

A handler per ``kind`` does the work from the payload; it raises to say "not yet". Claiming a due call is a
compare-and-set on ``next_attempt_at`` (it is pushed past a lease), so two retry runs never run the same call at
the same time; a worker that dies mid-call leaves the call to be claimed again once the lease has run out. Handlers
must be idempotent (holds and tasks are): a crash after the work but before ``done_at`` is written repeats it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet
from django.utils import timezone

from incasso.core.bulk_insert import rows_insert
from incasso.integrations.models import PendingCall
from incasso.integrations.resilience import Backoff

Handler = Callable[[dict[str, Any]], None]

CLAIM_LEASE = datetime.timedelta(minutes=10)
RETRY_BACKOFF = Backoff(base_seconds=60.0, factor=2.0, max_seconds=6 * 3600.0, jitter=True)
ERROR_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One call to queue: the de-duplication key says which pending call it would be the same as."""

    dedupe_key: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RetryReport:
    due: int
    succeeded: int
    failed: int


def pending_calls_enqueue(
    *,
    kind: str,
    calls: Sequence[Outgoing],
    last_error: str = "",
    now: datetime.datetime | None = None,
    count_new: bool = True,
) -> int:
    """Queue calls of ``kind``; one already pending under the same key is left as it is. Returns how many were new
    (with ``count_new=False``, one INSERT and no query to count them: how many were offered)."""
    if not calls:
        return 0
    now = now or timezone.now()
    keys = [call.dedupe_key for call in calls]
    pending = (
        set(PendingCall.objects.filter(dedupe_key__in=keys, done_at__isnull=True).values_list("dedupe_key", flat=True))
        if count_new
        else set()
    )
    fresh: dict[str, Outgoing] = {c.dedupe_key: c for c in calls if c.dedupe_key not in pending}
    # ``ignore_conflicts`` settles a race with another worker queuing the same key (the partial unique index).
    # Rows as tuples (COPY on PostgreSQL): intake queues a check per new debtor, thousands per chunk.
    error = last_error[:ERROR_LENGTH]
    rows_insert(
        PendingCall,
        _CALL_COLUMNS,
        [(kind, c.payload, c.dedupe_key, 0, now, error, now, None) for c in fresh.values()],
        returning=False,
        ignore_conflicts=True,
    )
    return len(fresh)


_CALL_COLUMNS = ("kind", "payload", "dedupe_key", "attempts", "next_attempt_at", "last_error", "created_at", "done_at")


def pending_calls_enqueue_each(
    *,
    kind: str,
    key_prefix: str,
    ids: QuerySet[Any, Any],
    payload_id: str,
    payload_extra: Mapping[str, str],
    now: datetime.datetime | None = None,
) -> int:
    """Queue one call of ``kind`` per id that ``ids`` (a one-column ``values_list`` query) yields, in one
    ``INSERT ... SELECT``: no row travels through Python, whatever the number of ids.

    Each call's key is ``key_prefix`` followed by the id, and its payload ``{payload_id: id, **payload_extra}``,
    as :func:`pending_calls_enqueue` would store them. One already pending under the same key is left as it is
    (skipped by the query, and by the partial unique index should another worker queue it at the same moment).
    Returns how many were new.
    """
    now = now or timezone.now()
    ids_sql, ids_params = ids.query.sql_with_params()
    meta = PendingCall._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    column = {field.name: quote(field.column) for field in meta.concrete_fields}
    build = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    pairs = ", ".join(["%s, %s"] * len(payload_extra))
    payload = f"{build}(%s, ids.id{', ' if pairs else ''}{pairs})"
    key = "%s || CAST(ids.id AS TEXT)"
    # The WITH sits inside the INSERT: Python's sqlite3 reports a row count only for a statement that starts with it.
    sql = (
        f"INSERT INTO {table} ({column['kind']}, {column['payload']}, {column['dedupe_key']}, {column['attempts']},"  # noqa: S608 - names come from the model, values are params
        f" {column['next_attempt_at']}, {column['last_error']}, {column['created_at']}, {column['done_at']})"
        f" WITH ids (id) AS ({ids_sql}) SELECT %s, {payload}, {key}, 0, %s, '', %s, NULL FROM ids"
        f" WHERE NOT EXISTS (SELECT 1 FROM {table} AS pending WHERE pending.{column['dedupe_key']} = {key}"
        f" AND pending.{column['done_at']} IS NULL)"
        " ON CONFLICT DO NOTHING"
    )
    when = PendingCall._meta.get_field("next_attempt_at").get_db_prep_save(now, connection)
    params = [
        *ids_params,
        kind,
        payload_id,
        *(item for pair in payload_extra.items() for item in pair),
        key_prefix,
        when,
        when,
        key_prefix,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        new: int = max(cursor.rowcount, 0)
        return new


def _claim(call: PendingCall, now: datetime.datetime) -> bool:
    return bool(
        PendingCall.objects.filter(pk=call.pk, done_at__isnull=True, next_attempt_at=call.next_attempt_at).update(
            next_attempt_at=now + CLAIM_LEASE, attempts=F("attempts") + 1
        )
    )


def pending_calls_retry(
    *,
    handlers: Mapping[str, Handler],
    now: datetime.datetime | None = None,
    limit: int = 500,
    backoff: Backoff = RETRY_BACKOFF,
) -> RetryReport:
    """Run the due calls of the known kinds, oldest due first; a failure is rescheduled with back-off."""
    now = now or timezone.now()
    due = list(
        PendingCall.objects.filter(done_at__isnull=True, next_attempt_at__lte=now, kind__in=list(handlers)).order_by(
            "next_attempt_at", "pk"
        )[:limit]
    )
    succeeded = failed = 0
    for call in due:
        if not _claim(call, now):
            continue  # another worker has it
        try:
            handlers[call.kind](dict(call.payload))
        except Exception as exc:  # any failure: keep the work, say why, try later
            failed += 1
            attempts = call.attempts + 1
            PendingCall.objects.filter(pk=call.pk).update(
                next_attempt_at=now + datetime.timedelta(seconds=backoff.delay(attempts)),
                last_error=f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH],
            )
            continue
        succeeded += 1
        PendingCall.objects.filter(pk=call.pk).update(done_at=timezone.now(), last_error="")
    return RetryReport(due=len(due), succeeded=succeeded, failed=failed)
