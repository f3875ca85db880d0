"""Celery tasks of payment arrangements: thin wrappers, one service each, scheduled in ``config.celery``."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from incasso.arrangements.reminders import BATCH, instalment_reminders_send


@shared_task(name="incasso.arrangements.instalment_reminders")  # type: ignore[untyped-decorator]
def instalment_reminders_task(limit: int = BATCH) -> dict[str, object]:
    """E-mail the instalment reminders that are due; outside the contact hours it sends nothing."""
    summary = instalment_reminders_send(now=timezone.now(), limit=limit)
    wait_until = summary.wait_until.isoformat() if summary.wait_until else None
    return {"sent": summary.sent, "cancelled": summary.cancelled, "wait_until": wait_until}
