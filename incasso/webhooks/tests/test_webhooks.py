from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incasso.integrations.models import PendingCall
from incasso.integrations.services import integrations_retry
from incasso.parties.factories import ClientFactory
from incasso.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEventType
from incasso.webhooks.services import (
    WEBHOOK_DELIVER_KIND,
    webhook_endpoint_create,
    webhook_event_emit,
    webhook_events_emit_bulk,
)
from incasso.webhooks.signing import SignatureInvalid, signature_header, signature_verify
from incasso.webhooks.testing import WebhookReceiver


def test_signature_round_trip_and_tampering() -> None:
    body = b'{"a":1}'
    header = signature_header(secret="s3cret", timestamp=1_700_000_000, body=body)
    assert header.startswith("t=1700000000,v1=")
    signature_verify(secret="s3cret", header=header, body=body, now=1_700_000_100)
    with pytest.raises(SignatureInvalid, match="does not match"):
        signature_verify(secret="s3cret", header=header, body=b'{"a":2}', now=1_700_000_100)
    with pytest.raises(SignatureInvalid, match="does not match"):
        signature_verify(secret="other", header=header, body=body, now=1_700_000_100)
    with pytest.raises(SignatureInvalid, match="tolerance"):
        signature_verify(secret="s3cret", header=header, body=body, now=1_700_001_000)


def test_emit_without_endpoints_queues_nothing(creditor) -> None:
    assert webhook_event_emit(client=creditor, event=WebhookEventType.PAYOUT_MADE, payload={"x": 1}) == 0
    assert not PendingCall.objects.exists()


def test_emit_respects_the_endpoint_event_filter(creditor) -> None:
    webhook_endpoint_create(client=creditor, url="https://example.test/a", events=[WebhookEventType.PAYOUT_MADE])
    webhook_endpoint_create(client=creditor, url="https://example.test/b")
    assert webhook_event_emit(client=creditor, event=WebhookEventType.CASE_STAGE_CHANGED, payload={}) == 1
    assert webhook_event_emit(client=creditor, event=WebhookEventType.PAYOUT_MADE, payload={}) == 2
    assert PendingCall.objects.filter(kind=WEBHOOK_DELIVER_KIND).count() == 3


@pytest.mark.django_db
def test_delivery_is_signed_and_retried_with_back_off(creditor, settings) -> None:
    settings.INCASSO_WEBHOOKS_ALLOW_LOCAL = True
    with WebhookReceiver() as receiver:
        _endpoint, secret = webhook_endpoint_create(client=creditor, url=receiver.url)
        receiver.secret = secret
        receiver.fail_next = 1
        webhook_event_emit(
            client=creditor, event=WebhookEventType.CASE_STAGE_CHANGED, payload={"case": "2026-000001", "to": "legal"}
        )
        first = integrations_retry()
        assert (first.succeeded, first.failed) == (0, 1)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING
        assert delivery.attempt_log.get().status_code == 503
        call = PendingCall.objects.get(kind=WEBHOOK_DELIVER_KIND)
        assert call.next_attempt_at > timezone.now() + datetime.timedelta(seconds=20)  # backed off
        assert integrations_retry().due == 0  # not due yet

        second = integrations_retry(now=call.next_attempt_at + datetime.timedelta(seconds=1))
        assert second.succeeded == 1
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.DELIVERED
        assert delivery.attempts == 2
        assert receiver.refused == []
        [document] = receiver.received
        assert document["event"] == "case.stage_changed"
        assert document["data"] == {"case": "2026-000001", "to": "legal"}
        assert document["id"] == str(delivery.event_id)


@pytest.mark.django_db
def test_receiver_with_the_wrong_secret_refuses_and_the_delivery_stays_pending(creditor, settings) -> None:
    settings.INCASSO_WEBHOOKS_ALLOW_LOCAL = True
    with WebhookReceiver(secret="not-the-secret") as receiver:
        webhook_endpoint_create(client=creditor, url=receiver.url)
        webhook_event_emit(client=creditor, event=WebhookEventType.PAYOUT_MADE, payload={"net": "10.00"})
        report = integrations_retry()
        assert report.failed == 1
        assert receiver.refused == ["the signature does not match the body"]
        assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING


def test_a_stage_change_emits_a_webhook_event(case) -> None:
    from incasso.cases.services import case_transition
    from incasso.domain.case_stages import ClosedReason, Stage

    webhook_endpoint_create(client=case.client, url="https://example.test/hooks")
    case_transition(
        case=case,
        to=Stage.CLOSED,
        reason="client withdrew",
        today=datetime.date(2026, 11, 1),
        closed_reason=ClosedReason.WITHDRAWN,
    )
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == WebhookEventType.CASE_STAGE_CHANGED
    assert delivery.payload == {"case": case.number, "from": "reminder", "to": "closed"}


@pytest.mark.parametrize(
    "url",
    [
        "http://example.test/hooks",
        "https://127.0.0.1/hooks",
        "https://10.1.2.3/x",
        "https://localhost/x",
        "https://[::1]/",
    ],
)
def test_endpoints_must_be_public_https(creditor, url) -> None:
    with pytest.raises(ValidationError):
        webhook_endpoint_create(client=creditor, url=url)
    assert not WebhookEndpoint.objects.exists()


def test_bulk_emit_makes_one_query_for_the_endpoints(creditor, django_assert_num_queries) -> None:
    other = ClientFactory(code="other")
    with django_assert_num_queries(1):
        assert (
            webhook_events_emit_bulk(
                events=[(creditor.pk, WebhookEventType.CASE_STAGE_CHANGED, {"n": n}) for n in range(50)]
                + [(other.pk, WebhookEventType.PAYOUT_MADE, {})]
            )
            == 0
        )
    webhook_endpoint_create(client=creditor, url="https://example.test/hooks")
    assert (
        webhook_events_emit_bulk(
            events=[(creditor.pk, WebhookEventType.CASE_STAGE_CHANGED, {"n": n}) for n in range(50)]
            + [(other.pk, WebhookEventType.PAYOUT_MADE, {})]
        )
        == 50
    )
