"""The integrations' entry points for commands and tasks."""

from __future__ import annotations

import datetime

from incasso.handover.services import HANDOVER_DELIVER_KIND, handover_deliver_pending
from incasso.integrations.cir.services import (
    CIR_CHECK_KIND,
    cir_check_pending,
    cir_check_queue,
    cir_check_queue_open_cases,
)
from incasso.integrations.outbox import Handler, RetryReport, pending_calls_retry
from incasso.parties.models import Debtor
from incasso.webhooks.services import WEBHOOK_DELIVER_KIND, webhook_deliver

# Every kind of queued outside call and what runs it; an adapter that queues work adds its handler here.
HANDLERS: dict[str, Handler] = {
    CIR_CHECK_KIND: cir_check_pending,
    WEBHOOK_DELIVER_KIND: webhook_deliver,
    HANDOVER_DELIVER_KIND: handover_deliver_pending,
}


def integrations_retry(*, now: datetime.datetime | None = None, limit: int = 500) -> RetryReport:
    """Run the queued outside calls that are due."""
    return pending_calls_retry(handlers=HANDLERS, now=now, limit=limit)


def intake_checks_queue(*, client_id: int, since: datetime.datetime, chunk_size: int = 1000) -> int:
    """Queue the insolvency-register check of every debtor of ``client_id`` created since ``since`` (the intake,
    after its batch committed). No outside call: ``integrations retry`` makes them. Returns how many were queued."""
    queued = 0
    after = 0
    while True:
        chunk = list(
            Debtor.objects.filter(client_id=client_id, created_at__gte=since, pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk_size]
        )
        if not chunk:
            return queued
        after = chunk[-1]
        queued += cir_check_queue(debtor_ids=chunk)


def integrations_daily(*, on: datetime.date) -> int:
    """The daily run's part: queue the insolvency-register check of every open case's debtor. Returns how many
    were new (a debtor still waiting from yesterday is not queued twice)."""
    return cir_check_queue_open_cases(on=on)
