"""``POST /api/v1/payment-links/webhook`` through the HTTP API, with the provider double over real HTTP."""

from __future__ import annotations

import datetime
from urllib.parse import urlparse

import pytest

from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.domain.money import Money
from incasso.ledger.models import PaymentAllocation
from incasso.paylinks.models import PaymentLinkStatus
from incasso.paylinks.provider import ProviderStatus
from incasso.paylinks.services import payment_link_create
from incasso.paylinks.testing import LocalPaymentProvider

URL = "/api/v1/payment-links/webhook"
PAID_AT = datetime.datetime(2026, 10, 31, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def responses():
    return []


@pytest.fixture
def double(client, settings, responses):
    """The provider double, configured as the provider; its webhooks go to this API through the test client."""

    def deliver(url, payment_id):
        responses.append(client.post(urlparse(url).path, {"id": payment_id}))

    with LocalPaymentProvider(webhook_sender=deliver) as provider:
        settings.INCASSO_PAYMENT_PROVIDER_URL = provider.url
        settings.INCASSO_PAYMENT_PROVIDER_KEY = provider.api_key
        settings.INCASSO_PAYMENT_PROVIDER_BACKOFF_SECONDS = 0
        yield provider


@pytest.fixture
def link(double, debtor):
    case = CaseFactory(debtor=debtor)
    ClaimFactory(case=case)
    with double.adapter() as adapter:
        return payment_link_create(
            case=case,
            method="ideal",
            provider=adapter,
            amount=Money.parse("40.00"),
            webhook_url=f"https://incasso.example{URL}",
        )


def test_a_paid_payment_is_booked_once_when_the_webhook_comes_twice(double, link, responses):
    double.mark_paid(link.provider_payment_id, paid_at=PAID_AT)
    double.notify(link.provider_payment_id)

    assert [r.status_code for r in responses] == [200, 200]
    assert responses[0].json() == {"id": link.provider_payment_id, "status": "paid"}
    allocation = PaymentAllocation.objects.get()
    assert allocation.amount_cents == 4_000
    assert allocation.received_on == datetime.date(2026, 10, 31)


@pytest.mark.parametrize("status", [ProviderStatus.FAILED, ProviderStatus.EXPIRED])
def test_a_failed_or_expired_payment_books_nothing(double, link, responses, status):
    double.set_status(link.provider_payment_id, status)

    assert responses[0].status_code == 200
    assert responses[0].json()["status"] == status.value
    assert not PaymentAllocation.objects.exists()


def test_a_forged_webhook_for_an_open_payment_answers_the_real_status_and_books_nothing(client, link):
    response = client.post(URL, {"id": link.provider_payment_id, "status": "paid", "amount": "9999.00"})

    assert response.status_code == 200
    assert response.json()["status"] == PaymentLinkStatus.OPEN
    assert not PaymentAllocation.objects.exists()


def test_an_unknown_payment_is_404(client, double, db):
    response = client.post(URL, {"id": "tr_unknown"})

    assert response.status_code == 404
    assert response.json()["error"] == "unknown_payment"
    assert double.requests == []


def test_a_webhook_without_an_id_is_refused_without_a_traceback(client, double, db):
    response = client.post(URL, {})

    assert response.status_code == 422
    assert "id" in response.content.decode()


def test_a_provider_that_cannot_be_asked_gives_503_so_the_webhook_is_delivered_again(client, double, link):
    double.mark_paid(link.provider_payment_id, notify=False)
    double.fail_next(503, 503, 503, 503)

    response = client.post(URL, {"id": link.provider_payment_id})

    assert response.status_code == 503
    assert response.json()["error"] == "provider_unavailable"
    assert not PaymentAllocation.objects.exists()
    assert double.requests.count(("GET", f"/v2/payments/{link.provider_payment_id}")) == 4

    assert client.post(URL, {"id": link.provider_payment_id}).status_code == 200
    assert PaymentAllocation.objects.count() == 1


def test_the_webhook_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json()

    operation = document["paths"][URL]["post"]
    assert "application/x-www-form-urlencoded" in operation["requestBody"]["content"]
    assert set(operation["responses"]) >= {"200", "404", "503"}
    assert not operation.get("security")
