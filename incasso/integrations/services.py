"""The integrations' entry points for commands and tasks."""

from __future__ import annotations

import datetime

from incasso.integrations.cir.services import CIR_CHECK_KIND, cir_check_pending
from incasso.integrations.outbox import Handler, RetryReport, pending_calls_retry

# Every kind of queued outside call and what runs it; an adapter that queues work adds its handler here.
HANDLERS: dict[str, Handler] = {CIR_CHECK_KIND: cir_check_pending}


def integrations_retry(*, now: datetime.datetime | None = None, limit: int = 500) -> RetryReport:
    """Run the queued outside calls that are due."""
    return pending_calls_retry(handlers=HANDLERS, now=now, limit=limit)
