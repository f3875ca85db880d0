"""The REST adapter against the local provider double, over real HTTP: the protocol, retries, errors, timeouts."""

from __future__ import annotations

import datetime

import httpx
import pytest

from incasso.domain.money import Money
from incasso.paylinks.provider import (
    PaymentProviderError,
    ProviderRejected,
    ProviderStatus,
    ProviderUnavailable,
)
from incasso.paylinks.rest import DEFAULT_TIMEOUT, RestPaymentProvider

CREATE = {
    "description": "Dossier 2026-000001",
    "reference": "RF1820260000001",
    "redirect_url": "https://incasso.example/mijn",
    "webhook_url": "https://incasso.example/api/v1/payment-links/webhook",
    "method": "ideal",
}


def test_create_sends_the_provider_shaped_body_and_returns_a_checkout_url(local_provider, provider):
    payment = provider.create_payment(amount=Money.parse("12.34"), **CREATE)

    assert payment.status is ProviderStatus.OPEN
    assert payment.amount == Money.parse("12.34")
    assert payment.checkout_url == f"{local_provider.url}/checkout/{payment.id}"
    assert httpx.get(payment.checkout_url).status_code == 200
    stored = local_provider.payments[payment.id]
    assert stored.amount == {"currency": "EUR", "value": "12.34"}
    assert stored.webhook_url == CREATE["webhook_url"]
    assert stored.redirect_url == CREATE["redirect_url"]
    assert stored.metadata == {"reference": "RF1820260000001"}
    assert local_provider.requests == [("POST", "/v2/payments")]


def test_get_reads_the_status_amount_and_time_of_payment(local_provider, provider):
    payment = provider.create_payment(amount=Money.parse("100.00"), **CREATE)
    paid_at = datetime.datetime(2026, 10, 31, 23, 30, tzinfo=datetime.UTC)
    local_provider.mark_paid(payment.id, paid_at=paid_at, notify=False)

    fetched = provider.get_payment(payment.id)

    assert fetched.status is ProviderStatus.PAID
    assert fetched.amount == Money.parse("100.00")
    assert fetched.paid_at == paid_at
    assert fetched.checkout_url is None


def test_a_503_is_retried_with_back_off_and_then_succeeds(local_provider):
    waits: list[float] = []
    adapter = local_provider.adapter(sleep=waits.append, backoff_seconds=0.25)
    local_provider.fail_next(503, 502)

    payment = adapter.create_payment(amount=Money.parse("5.00"), **CREATE)

    assert payment.status is ProviderStatus.OPEN
    assert len(local_provider.requests) == 3
    assert waits == [0.25, 0.5]
    assert len(local_provider.payments) == 1


def test_a_retried_create_carries_one_idempotency_key_so_it_makes_one_payment(local_provider, provider):
    payment = provider.create_payment(amount=Money.parse("5.00"), **CREATE)
    key = local_provider.payments[payment.id].idempotency_key
    assert key

    again = httpx.post(
        f"{local_provider.url}/v2/payments",
        json={"amount": {"currency": "EUR", "value": "5.00"}},
        headers={"Authorization": f"Bearer {local_provider.api_key}", "Idempotency-Key": key},
    )

    assert again.json()["id"] == payment.id
    assert len(local_provider.payments) == 1


def test_a_provider_that_stays_down_gives_up_after_the_retries(local_provider):
    adapter = local_provider.adapter(retries=2)
    local_provider.fail_next(500, 500, 500, 500)

    with pytest.raises(ProviderUnavailable, match=r"after 3 attempts \(HTTP 500\)"):
        adapter.get_payment("tr_any")
    assert len(local_provider.requests) == 3


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"method": "bitcoin"}, 422, "The payment method is invalid (field: method)"),
        ({"redirect_url": ""}, 422, "The redirectUrl is required (field: redirectUrl)"),
    ],
)
def test_a_4xx_is_a_clear_error_and_is_not_retried(local_provider, provider, change, status, message):
    with pytest.raises(ProviderRejected) as refused:
        provider.create_payment(amount=Money.parse("5.00"), **{**CREATE, **change})

    assert refused.value.status_code == status
    assert message in str(refused.value)
    assert len(local_provider.requests) == 1


def test_a_wrong_api_key_and_an_unknown_payment_are_refusals(local_provider):
    with (
        RestPaymentProvider(base_url=local_provider.url, api_key="wrong") as adapter,
        pytest.raises(ProviderRejected, match="HTTP 401"),
    ):
        adapter.get_payment("tr_local000001")
    with local_provider.adapter() as adapter, pytest.raises(ProviderRejected, match=r"HTTP 404.*tr_missing"):
        adapter.get_payment("tr_missing")


def test_every_request_has_a_timeout_and_a_slow_provider_times_out(local_provider):
    assert DEFAULT_TIMEOUT.connect == 5.0
    assert DEFAULT_TIMEOUT.read == 10.0
    local_provider.delay_seconds = 0.5
    adapter = local_provider.adapter(timeout=httpx.Timeout(0.1), retries=1)

    with pytest.raises(ProviderUnavailable, match="ReadTimeout"):
        adapter.get_payment("tr_any")


def test_a_refused_connection_is_retried_and_reported(local_provider):
    local_provider.stop()
    adapter = RestPaymentProvider(base_url=local_provider.url, api_key="k", retries=1, sleep=lambda _s: None)

    with pytest.raises(ProviderUnavailable, match="ConnectError"):
        adapter.get_payment("tr_any")


def test_the_adapter_is_configured_from_settings(settings, local_provider):
    settings.INCASSO_PAYMENT_PROVIDER_URL = local_provider.url
    settings.INCASSO_PAYMENT_PROVIDER_KEY = local_provider.api_key

    with RestPaymentProvider.from_settings() as adapter:
        assert adapter.create_payment(amount=Money.parse("1.00"), **CREATE).status is ProviderStatus.OPEN


def test_an_unconfigured_provider_says_which_setting_is_missing(settings, monkeypatch):
    settings.INCASSO_PAYMENT_PROVIDER_URL = ""
    monkeypatch.delenv("INCASSO_PAYMENT_PROVIDER_URL", raising=False)

    with pytest.raises(PaymentProviderError, match="INCASSO_PAYMENT_PROVIDER_URL is not set"):
        RestPaymentProvider.from_settings()
