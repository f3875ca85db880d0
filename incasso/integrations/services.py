"""The integrations' entry points for commands and tasks."""

from __future__ import annotations

import datetime

from incasso.handover.services import HANDOVER_DELIVER_KIND, handover_deliver_pending
from incasso.integrations.cir.services import (
    CIR_CHECK_KIND,
    cir_check_pending,
    cir_check_queue_open_cases,
    cir_check_queue_selected,
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


def intake_checks_queue(*, client_id: int, since: datetime.datetime) -> int:
    """Queue the insolvency-register check of every debtor of ``client_id`` created since ``since`` (the intake,
    after its batch committed), in one statement. No outside call: ``integrations retry`` makes them. Returns how
    many were queued."""
    new_debtors = Debtor.objects.filter(client_id=client_id, created_at__gte=since).order_by().values_list("pk")
    return cir_check_queue_selected(debtor_ids=new_debtors)


def integrations_daily(*, on: datetime.date) -> int:
    """The daily run's part: queue the insolvency-register check of every open case's debtor. Returns how many
    were new (a debtor still waiting from yesterday is not queued twice)."""
    return cir_check_queue_open_cases(on=on)
