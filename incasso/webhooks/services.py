"""Writes of webhooks: endpoints, emitting events (a delivery per subscribed endpoint, queued in the outbox),
and delivering them.

Other apps call :func:`webhook_event_emit` (or, for set-based services such as the daily run and the statement
import, :func:`webhook_case_events_emit_bulk`) where an event happens, inside their own transaction: the deliveries
and their outbox rows commit with the change or not at all (the outbox pattern), and the HTTP call happens later
in ``incasso`` 's retry run, never inside the caller's transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.core.bulk_insert import AnyOf
from incasso.crypto.fields import is_unavailable
from incasso.domain.data_map import ProcessingPurpose
from incasso.integrations.outbox import Outgoing, pending_calls_enqueue
from incasso.parties.models import Client
from incasso.webhooks.delivery import AttemptResult, webhook_body, webhook_post
from incasso.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
)
from incasso.webhooks.targets import webhook_target_check, webhook_target_resolve

WEBHOOK_DELIVER_KIND = "webhook.deliver"
# After this many failed attempts (about two days with the outbox's back-off) a delivery is given up.
MAX_ATTEMPTS = 12


@transaction.atomic
def webhook_endpoint_create(
    *, client: Client, url: str, events: Iterable[str] = (), actor: User | None = None
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint; returns it with its signing secret, to be shown to the client once."""
    webhook_target_check(url)
    chosen = sorted(set(events))
    unknown = set(chosen) - set(WebhookEventType.values)
    if unknown:
        raise ValidationError(f"unknown events: {', '.join(sorted(unknown))}")
    secret = "whsec_" + secrets.token_hex(24)
    endpoint = WebhookEndpoint(client=client, url=url, secret=secret, events=chosen)
    endpoint.full_clean()
    endpoint.save()
    audit_record(
        actor=actor or "system",
        action=AuditAction.CREATE,
        subject=None,
        fields=["url", "events"],
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source="client_portal",
        details={"webhook_endpoint": endpoint.pk, "client": client.pk},
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_disable(*, endpoint: WebhookEndpoint, actor: User | None = None) -> WebhookEndpoint:
    if endpoint.disabled_at is None:
        endpoint.disabled_at = timezone.now()
        endpoint.save(update_fields=["disabled_at"])
        audit_record(
            actor=actor or "system",
            action=AuditAction.UPDATE,
            subject=None,
            fields=["disabled_at"],
            purpose=ProcessingPurpose.DEBT_COLLECTION,
            source="client_portal",
            details={"webhook_endpoint": endpoint.pk, "client": endpoint.client_id},
        )
    return endpoint


def webhook_event_emit(*, client: Client | int, event: WebhookEventType | str, payload: Mapping[str, Any]) -> int:
    """Queue ``event`` for every active endpoint of ``client`` that wants it; returns how many deliveries.

    One query when the client has no endpoints, so it is cheap to call from any service.
    """
    client_id = client if isinstance(client, int) else client.pk
    return webhook_events_emit_bulk(events=[(client_id, WebhookEventType(event), payload)])


def webhook_events_emit_bulk(*, events: Sequence[tuple[int, WebhookEventType, Mapping[str, Any]]]) -> int:
    """Queue many ``(client id, event, payload)`` at once (for set-based services such as the daily run's moves):
    one query for the endpoints, one insert of deliveries and one of outbox rows, whatever the number of events."""
    if not events:
        return 0
    by_client: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(
        client_id__in={client_id for client_id, _event, _payload in events}, disabled_at__isnull=True
    ):
        by_client.setdefault(endpoint.client_id, []).append(endpoint)
    fresh = [
        WebhookDelivery(endpoint=endpoint, event=event.value, payload=dict(payload))
        for client_id, event, payload in events
        for endpoint in by_client.get(client_id, [])
        if endpoint.wants(event.value)
    ]
    return _deliveries_queue(fresh)


# What emitting a batch of case events costs when no client of the cases has an endpoint: the one look-up. Tests that
# bound the queries of a service emitting them add this.
CASE_EVENTS_QUERIES_UNSUBSCRIBED = 1


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """One event about a case for :func:`webhook_case_events_emit_bulk`; its payload gets the case number."""

    case_id: int
    event: WebhookEventType
    data: Mapping[str, Any]


def webhook_case_events_emit_bulk(*, events: Sequence[CaseEvent]) -> int:
    """Queue events about cases for the endpoints of each case's client that want them; returns how many deliveries.

    One query finds the active endpoints of the cases' clients with the case numbers; when no client of these cases
    has one, that is all. Else one insert of deliveries and one of outbox rows, whatever the number of events.
    """
    if not events:
        return 0
    subscribed: dict[int, list[tuple[WebhookEndpoint, str]]] = {}
    endpoints = (
        WebhookEndpoint.objects.filter(AnyOf(F("client__cases__pk"), sorted({e.case_id for e in events})))
        .filter(disabled_at__isnull=True)
        .annotate(case_pk=F("client__cases__pk"), case_number=F("client__cases__number"))
        .order_by("pk")
    )
    for endpoint in endpoints:
        subscribed.setdefault(endpoint.case_pk, []).append((endpoint, endpoint.case_number))
    fresh = [
        WebhookDelivery(endpoint=endpoint, event=e.event.value, payload={"case": number, **e.data})
        for e in events
        for endpoint, number in subscribed.get(e.case_id, [])
        if endpoint.wants(e.event.value)
    ]
    return _deliveries_queue(fresh)


def _deliveries_queue(fresh: list[WebhookDelivery]) -> int:
    if not fresh:
        return 0
    with transaction.atomic():
        deliveries = WebhookDelivery.objects.bulk_create(fresh)
        if any(delivery.pk is None for delivery in deliveries):  # backends without RETURNING
            deliveries = list(WebhookDelivery.objects.filter(event_id__in=[d.event_id for d in fresh]))
        pending_calls_enqueue(
            kind=WEBHOOK_DELIVER_KIND,
            calls=[Outgoing(f"webhook:{d.pk}", {"delivery_id": d.pk}) for d in deliveries],
        )
    return len(deliveries)


def webhook_deliver(payload: dict[str, Any]) -> None:
    """The outbox handler: one attempt at one delivery. Raises to have the outbox try again later with back-off;
    returns when delivered, or when given up after ``MAX_ATTEMPTS`` (then the delivery is marked failed)."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=int(payload["delivery_id"])).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return
    endpoint = delivery.endpoint
    # A disabled endpoint, or one whose secret cannot be opened (its key destroyed): nothing can be sent to it.
    if endpoint.disabled_at is not None or is_unavailable(endpoint.secret):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
        return
    body = webhook_body(
        event_id=str(delivery.event_id),
        event=delivery.event,
        created=delivery.created_at.isoformat(),
        data=delivery.payload,
    )
    try:
        # Again at every delivery: the host may resolve to another address than when the endpoint was saved.
        address = webhook_target_resolve(endpoint.url)
    except ValidationError as refused:
        result = AttemptResult(False, None, f"refused: {' '.join(refused.messages)}"[:1000], 0)
    else:
        result = webhook_post(
            endpoint_id=endpoint.pk,
            url=endpoint.url,
            address=address,
            secret=endpoint.secret,
            event_id=str(delivery.event_id),
            body=body,
        )
    attempts = delivery.attempts + 1
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery, status_code=result.status_code, error=result.error, duration_ms=result.duration_ms
        )
        changes: dict[str, Any] = {"attempts": attempts}
        if result.ok:
            changes.update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now())
        elif attempts >= MAX_ATTEMPTS:
            changes["status"] = DeliveryStatus.FAILED
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**changes)
    if not result.ok and attempts < MAX_ATTEMPTS:
        raise RuntimeError(f"webhook delivery {delivery.pk} failed: {result.error}")
