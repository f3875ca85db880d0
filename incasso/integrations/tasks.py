"""Celery tasks of the outside services: thin wrappers, one service each, scheduled in ``config.celery``."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from incasso.handover.services import handover_poll
from incasso.integrations.address.services import addresses_refresh
from incasso.integrations.services import integrations_retry


@shared_task(name="incasso.integrations.retry")  # type: ignore[untyped-decorator]
def integrations_retry_task() -> dict[str, int]:
    """Run the queued outside calls that are due (CIR checks, hand-over deliveries, webhooks)."""
    return asdict(integrations_retry())


@shared_task(name="incasso.integrations.addresses_refresh")  # type: ignore[untyped-decorator]
def addresses_refresh_task() -> dict[str, object]:
    """Apply the address change feed; idempotent (a page applied twice changes nothing the second time)."""
    return asdict(addresses_refresh())


@shared_task(name="incasso.integrations.handover_poll")  # type: ignore[untyped-decorator]
def handover_poll_task() -> dict[str, object]:
    """Read the hand-over recipients' status files."""
    return asdict(handover_poll())
