"""``payment_link_for``: the open link for the same money is given out again, never a second payable payment."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from incasso.domain.money import Money
from incasso.ledger.models import PaymentAllocation
from incasso.paylinks.errors import PaidMeanwhile, PaymentInProgress
from incasso.paylinks.models import PaymentLink, PaymentLinkStatus
from incasso.paylinks.provider import ProviderStatus
from incasso.paylinks.services import payment_link_create, payment_link_for

TODAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_the_open_link_for_the_same_amount_and_method_is_given_out_again(owing_case, provider):
    first = payment_link_for(case=owing_case, method="ideal", provider=provider)
    assert payment_link_for(case=owing_case, method="ideal", provider=provider) == first
    part = payment_link_for(case=owing_case, method="ideal", provider=provider, amount=Money.parse("50.00"))
    assert part != first and part.amount_cents == 5_000
    assert payment_link_for(case=owing_case, method="ideal", provider=provider, amount=Money.parse("50.00")) == part
    assert PaymentLink.objects.filter(case=owing_case).count() == 2


def test_an_expired_link_is_replaced_and_books_nothing(owing_case, local_provider, provider):
    first = payment_link_for(case=owing_case, method="ideal", provider=provider)
    local_provider.mark_expired(first.provider_payment_id)  # webhook queued, never delivered
    second = payment_link_for(case=owing_case, method="ideal", provider=provider)
    first.refresh_from_db()
    assert second != first and first.status == PaymentLinkStatus.EXPIRED
    assert not PaymentAllocation.objects.exists()


def test_a_link_paid_meanwhile_is_booked_and_no_new_one_made(owing_case, local_provider, provider):
    first = payment_link_for(case=owing_case, method="ideal", provider=provider, amount=Money.parse("50.00"))
    local_provider.mark_paid(first.provider_payment_id)
    with pytest.raises(PaidMeanwhile) as raised:
        payment_link_for(case=owing_case, method="ideal", provider=provider, amount=Money.parse("50.00"))
    assert raised.value.amount == Money.parse("50.00")
    assert PaymentAllocation.objects.get().amount_cents == 5_000
    assert PaymentLink.objects.count() == 1


def test_nothing_new_while_a_payment_is_pending(owing_case, local_provider, provider):
    first = payment_link_for(case=owing_case, method="ideal", provider=provider)
    local_provider.set_status(first.provider_payment_id, ProviderStatus.PENDING)
    with pytest.raises(PaymentInProgress):
        payment_link_for(case=owing_case, method="creditcard", provider=provider)
    assert PaymentLink.objects.get().status == PaymentLinkStatus.PENDING


def test_two_creates_with_one_key_are_one_payment_and_one_link(owing_case, local_provider, provider):
    """What a double click's two requests at once come to: both send the key ``payment_link_for`` derives."""
    first = payment_link_create(case=owing_case, method="ideal", provider=provider, idempotency_key="paylink:k")
    second = payment_link_create(case=owing_case, method="ideal", provider=provider, idempotency_key="paylink:k")
    assert second == first
    assert len(local_provider.payments) == 1 and PaymentLink.objects.count() == 1
