"""``payment.received`` from the ledger and ``case.stage_changed`` from the daily run's bulk moves (C-12): queued
set-based, only for the clients with an endpoint that wants the event."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incasso.cases.services import StageMove, cases_transition_bulk
from incasso.domain.case_stages import Stage
from incasso.ledger.services import PaymentToReceive, payment_receive, payments_receive
from incasso.ledger.tests.conftest import eur, make_case
from incasso.parties.factories import ClientFactory
from incasso.webhooks.models import WebhookDelivery, WebhookEventType
from incasso.webhooks.services import (
    CASE_EVENTS_QUERIES_UNSUBSCRIBED,
    webhook_endpoint_create,
    webhook_endpoint_disable,
)

pytestmark = pytest.mark.django_db
PAID_ON = datetime.date(2023, 8, 1)


def _case(client, invoice: str = "A"):
    return make_case(client, claims=((invoice, "1500.00", datetime.date(2023, 3, 1)),))


def _payment(case, n: int, amount: str = "10.00") -> PaymentToReceive:
    return PaymentToReceive(case.pk, eur(amount), PAID_ON, f"stmt:{case.pk}:{n}", "bank")


def test_a_payment_booked_to_a_case_is_announced_once_to_its_client(creditor):
    webhook_endpoint_create(
        client=creditor, url="https://example.test/hook", events=[WebhookEventType.PAYMENT_RECEIVED]
    )
    case = make_case(creditor)
    payment_receive(case_id=case.pk, amount=eur("25.50"), received_on=PAID_ON, key="ideal:1", source="ideal")
    payment_receive(case_id=case.pk, amount=eur("25.50"), received_on=PAID_ON, key="ideal:1", source="ideal")  # replay
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "payment.received"
    assert delivery.payload == {
        "case": case.number,
        "amount_cents": 2550,
        "currency": "EUR",
        "received_on": "2023-08-01",
        "source": "ideal",
    }


def test_a_statement_batch_announces_only_to_subscribed_clients_in_a_fixed_number_of_queries(creditor):
    other = ClientFactory(code="quiet")
    endpoint, _secret = webhook_endpoint_create(client=creditor, url="https://example.test/hook")
    webhook_endpoint_create(client=creditor, url="https://example.test/stages", events=["case.stage_changed"])
    subscribed, quiet = _case(creditor), _case(other)
    payments_receive(payments=[_payment(subscribed, 0), _payment(quiet, 0)])  # accounts opened once

    def queries(count: int) -> int:
        batch = [_payment(case, 100 * count + n) for n in range(count) for case in (subscribed, quiet)]
        with CaptureQueriesContext(connection) as captured:
            payments_receive(payments=batch)
        return len(captured)

    assert queries(2) == queries(6)
    assert set(WebhookDelivery.objects.values_list("endpoint", flat=True)) == {endpoint.pk}
    assert WebhookDelivery.objects.count() == 1 + 2 + 6
    assert set(WebhookDelivery.objects.values_list("payload__case", flat=True)) == {subscribed.number}


def test_without_any_endpoint_a_batch_costs_one_query_more(creditor):
    case = make_case(creditor)
    payments_receive(payments=[_payment(case, 0)])
    with CaptureQueriesContext(connection) as captured:
        payments_receive(payments=[_payment(case, 1), _payment(case, 2)])
    webhook_sql = [q["sql"] for q in captured.captured_queries if "webhooks_webhookendpoint" in q["sql"]]
    assert len(webhook_sql) == CASE_EVENTS_QUERIES_UNSUBSCRIBED
    assert not WebhookDelivery.objects.exists()


def test_the_daily_runs_bulk_moves_announce_stage_changes(creditor):
    wants, disabled = (
        webhook_endpoint_create(client=creditor, url=f"https://example.test/{name}", events=["case.stage_changed"])[0]
        for name in ("a", "b")
    )
    webhook_endpoint_disable(endpoint=disabled)
    webhook_endpoint_create(client=creditor, url="https://example.test/pay", events=["payment.received"])
    quiet_case = _case(ClientFactory(code="quiet"))
    cases = [_case(creditor, f"A{n}") for n in range(3)]
    moves = [StageMove(c.pk, Stage.REMINDER, Stage.FORMAL_DEMAND, "daily run") for c in [*cases, quiet_case]]
    assert cases_transition_bulk(moves=moves, today=PAID_ON, actor_name="daily run") == 4
    deliveries = WebhookDelivery.objects.order_by("pk")
    assert {d.endpoint_id for d in deliveries} == {wants.pk}
    assert sorted(d.payload["case"] for d in deliveries) == sorted(c.number for c in cases)
    assert deliveries[0].payload.keys() == {"case", "from", "to"} and deliveries[0].payload["to"] == "formal_demand"
    assert {d.event for d in deliveries} == {"case.stage_changed"}
