"""Reads of webhooks, always for one client."""

from __future__ import annotations

from django.db.models import QuerySet

from incasso.parties.models import Client
from incasso.webhooks.models import WebhookDelivery, WebhookEndpoint

DELIVERIES_SHOWN = 50


def webhook_endpoints_of(*, client: Client) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(client=client)


def webhook_deliveries_of(*, client: Client, limit: int = DELIVERIES_SHOWN) -> list[WebhookDelivery]:
    """The client's newest deliveries with their endpoint and attempt log (three queries)."""
    return list(
        WebhookDelivery.objects.filter(endpoint__client=client)
        .select_related("endpoint")
        .prefetch_related("attempt_log")
        .order_by("-created_at", "-pk")[:limit]
    )
