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

from django.db.models import F
from django.utils import timezone

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
    PendingCall.objects.bulk_create(
        [
            PendingCall(
                kind=kind,
                dedupe_key=c.dedupe_key,
                payload=c.payload,
                next_attempt_at=now,
                last_error=last_error[:ERROR_LENGTH],
            )
            for c in fresh.values()
        ],
        ignore_conflicts=True,
    )
    return len(fresh)


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
