"""A paid payment link charged back by the payer's bank: the ledger gives the money back to the debt, once."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from incasso.cases.models import StaffTask
from incasso.cases.selectors import case_quote
from incasso.domain.money import Money
from incasso.ledger.models import LedgerTransaction, PaymentAllocation
from incasso.ledger.verification import ledger_verify
from incasso.paylinks.provider import ProviderResponseInvalid
from incasso.paylinks.rest import _payment
from incasso.paylinks.services import payment_link_create, payment_link_sync

TODAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)
PAID_AT = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _sync_all(local_provider, provider) -> None:
    for _url, payment_id in local_provider.delivered:
        payment_link_sync(provider_payment_id=payment_id, provider=provider)
    local_provider.delivered.clear()


def _owed(case) -> Money:
    return case_quote(case=case, as_of=TODAY.date()).total_outstanding


def test_a_full_chargeback_reverses_the_payment_once_and_asks_a_collector(owing_case, local_provider, provider):
    before = _owed(owing_case)
    link = payment_link_create(case=owing_case, method="creditcard", provider=provider, amount=Money.parse("60.00"))
    local_provider.mark_paid(link.provider_payment_id, paid_at=PAID_AT)
    _sync_all(local_provider, provider)
    assert _owed(owing_case) < before - Money(5_900)

    local_provider.charge_back(link.provider_payment_id)
    _sync_all(local_provider, provider)
    local_provider.notify(link.provider_payment_id)  # the provider delivers the webhook again
    _sync_all(local_provider, provider)

    link.refresh_from_db()
    assert (link.charged_back_cents, link.chargeback_key) == (6_000, f"paylink-chargeback:{link.provider_payment_id}")
    assert LedgerTransaction.objects.filter(idempotency_key=link.chargeback_key).count() == 1
    assert _owed(owing_case) == before
    assert StaffTask.objects.filter(case=owing_case, idempotency_key=link.chargeback_key).count() == 1
    assert ledger_verify().clean


def test_a_partial_chargeback_keeps_what_stayed_paid(owing_case, local_provider, provider):
    before = _owed(owing_case)
    link = payment_link_create(case=owing_case, method="ideal", provider=provider, amount=Money.parse("60.00"))
    local_provider.mark_paid(link.provider_payment_id, paid_at=PAID_AT)
    _sync_all(local_provider, provider)

    local_provider.charge_back(link.provider_payment_id, value="25.00")
    _sync_all(local_provider, provider)

    kept = LedgerTransaction.objects.get(idempotency_key=f"paylink:{link.provider_payment_id}:kept")
    assert PaymentAllocation.objects.get(transaction=kept).amount_cents == 3_500
    assert before - Money(3_600) < _owed(owing_case) < before - Money(3_400)
    assert ledger_verify().clean


@pytest.mark.parametrize(
    ("status", "charged"),
    [("open", "1.00"), ("paid", "60.01"), ("paid", "-1.00")],
)
def test_an_impossible_chargeback_is_an_unreadable_answer(status, charged):
    body = {
        "id": "tr_1",
        "status": status,
        "amount": {"currency": "EUR", "value": "60.00"},
        "paidAt": PAID_AT.isoformat(),
        "amountChargedBack": {"currency": "EUR", "value": charged},
    }
    with pytest.raises(ProviderResponseInvalid):
        _payment(body)
