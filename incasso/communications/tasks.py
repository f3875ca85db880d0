"""Celery tasks of communications: thin wrappers, one service each, scheduled in ``config.celery``."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from incasso.communications.emailing import DEFAULT_BATCH, letters_email_send_due


@shared_task(name="incasso.communications.letters_email")  # type: ignore[untyped-decorator]
def letters_email_task(batch_size: int = DEFAULT_BATCH) -> dict[str, object]:
    """E-mail the queued e-mail letters that are due; outside the contact hours it sends nothing."""
    return letters_email_send_due(now=timezone.now(), batch_size=batch_size).as_dict()
