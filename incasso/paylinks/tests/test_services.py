"""Creating payment links and syncing them from webhooks, against the local provider over real HTTP."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from incasso.audit.models import AuditEvent
from incasso.cases.selectors import case_quote
from incasso.domain.money import Money
from incasso.ledger.models import LedgerTransaction, PaymentAllocation
from incasso.paylinks.errors import PaymentLinkError, PaymentLinkNotFound
from incasso.paylinks.models import PaymentLink, PaymentLinkStatus
from incasso.paylinks.provider import ProviderStatus, ProviderUnavailable
from incasso.paylinks.selectors import payment_links_of_case
from incasso.paylinks.services import payment_link_create, payment_link_sync

TODAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)
# 23:30 UTC on 31 October is 00:30 on 1 November in Amsterdam (CET): the payment is booked on 1 November.
PAID_AT = datetime.datetime(2026, 10, 31, 23, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _deliver(local_provider, provider, times=1):
    """Deliver every webhook the double queued, ``times`` times over, as a provider that retries would."""
    links = []
    for _ in range(times):
        for _url, payment_id in local_provider.delivered:
            links.append(payment_link_sync(provider_payment_id=payment_id, provider=provider))
    local_provider.delivered.clear()
    return links


def test_a_link_is_for_what_the_case_owes_today_by_default(owing_case, local_provider, provider):
    link = payment_link_create(case=owing_case, method="ideal", provider=provider)

    owed = case_quote(case=owing_case, as_of=datetime.date(2026, 11, 2)).total_outstanding
    assert link.amount == owed
    assert link.status == PaymentLinkStatus.OPEN
    assert link.checkout_url.startswith(f"{local_provider.url}/checkout/")
    stored = local_provider.payments[link.provider_payment_id]
    assert stored.amount["value"] == f"{owed.amount:.2f}"
    assert stored.method == "ideal"
    assert owing_case.number in stored.description
    assert [e.to_status for e in link.events.all()] == ["open"]
    assert AuditEvent.objects.filter(details__payment=link.provider_payment_id, action="create").count() == 1
    assert list(payment_links_of_case(case=owing_case)) == [link]


def test_a_link_can_be_for_part_of_the_debt(owing_case, provider):
    link = payment_link_create(case=owing_case, method="creditcard", provider=provider, amount=Money.parse("50.00"))

    assert link.amount_cents == 5_000
    assert link.method == "creditcard"


@pytest.mark.parametrize("amount", [Money(0), Money(-100), Money(100, "USD")])
def test_a_link_needs_a_positive_amount_in_euros(owing_case, local_provider, provider, amount):
    with pytest.raises(PaymentLinkError):
        payment_link_create(case=owing_case, method="ideal", provider=provider, amount=amount)
    assert local_provider.payments == {}


def test_a_link_asks_at_most_what_the_case_owes(owing_case, local_provider, provider):
    owed = case_quote(case=owing_case, as_of=TODAY.date()).total_outstanding
    assert (
        payment_link_create(case=owing_case, method="ideal", provider=provider, amount=owed).amount_cents == owed.cents
    )
    with pytest.raises(PaymentLinkError):
        payment_link_create(case=owing_case, method="ideal", provider=provider, amount=owed + Money(1))
    assert len(local_provider.payments) == 1


def test_a_paid_payment_is_booked_once_however_often_the_webhook_comes(owing_case, local_provider, provider):
    link = payment_link_create(case=owing_case, method="ideal", provider=provider, amount=Money.parse("60.00"))
    local_provider.mark_paid(link.provider_payment_id, paid_at=PAID_AT)

    _deliver(local_provider, provider, times=2)
    local_provider.notify(link.provider_payment_id)
    _deliver(local_provider, provider)

    link.refresh_from_db()
    assert link.status == PaymentLinkStatus.PAID
    assert link.paid_at == PAID_AT
    assert link.ledger_key == f"paylink:{link.provider_payment_id}"
    payments = LedgerTransaction.objects.filter(idempotency_key=link.ledger_key)
    assert payments.count() == 1
    allocation = PaymentAllocation.objects.get(transaction=payments.get())
    assert allocation.case_id == owing_case.pk
    assert allocation.amount_cents == 6_000
    assert allocation.received_on == datetime.date(2026, 11, 1)
    assert allocation.source == "ideal"
    assert allocation.reference == link.provider_payment_id
    assert [(e.from_status, e.to_status) for e in link.events.all()] == [("", "open"), ("open", "paid")]


def test_what_the_provider_reports_paid_is_booked_not_what_was_asked(owing_case, local_provider, provider):
    link = payment_link_create(case=owing_case, method="creditcard", provider=provider, amount=Money.parse("60.00"))
    local_provider.payments[link.provider_payment_id].amount = {"currency": "EUR", "value": "59.99"}
    local_provider.mark_paid(link.provider_payment_id, paid_at=PAID_AT)

    _deliver(local_provider, provider)

    allocation = PaymentAllocation.objects.get(transaction__idempotency_key=f"paylink:{link.provider_payment_id}")
    assert allocation.amount_cents == 5_999
    assert allocation.source == "card"


@pytest.mark.parametrize("status", [ProviderStatus.FAILED, ProviderStatus.EXPIRED, ProviderStatus.CANCELED])
def test_a_payment_that_ends_unpaid_books_nothing(owing_case, local_provider, provider, status):
    link = payment_link_create(case=owing_case, method="ideal", provider=provider)
    local_provider.set_status(link.provider_payment_id, status)

    _deliver(local_provider, provider, times=2)

    link.refresh_from_db()
    assert link.status == status.value
    assert link.ledger_key == ""
    assert not PaymentAllocation.objects.exists()
    assert [e.to_status for e in link.events.all()] == ["open", status.value]


def test_a_forged_webhook_for_an_open_payment_books_nothing(owing_case, local_provider, provider):
    link = payment_link_create(case=owing_case, method="ideal", provider=provider)

    synced = payment_link_sync(provider_payment_id=link.provider_payment_id, provider=provider)

    assert synced.status == PaymentLinkStatus.OPEN
    assert not PaymentAllocation.objects.exists()
    assert link.events.count() == 1
    assert local_provider.requests[-1] == ("GET", f"/v2/payments/{link.provider_payment_id}")


def test_a_webhook_for_an_unknown_payment_is_not_found_and_the_provider_is_not_asked(local_provider, provider, db):
    with pytest.raises(PaymentLinkNotFound):
        payment_link_sync(provider_payment_id="tr_forged", provider=provider)
    assert local_provider.requests == []


def test_when_the_provider_cannot_be_asked_nothing_changes_and_the_next_delivery_books(
    owing_case, local_provider, provider
):
    link = payment_link_create(case=owing_case, method="ideal", provider=provider)
    local_provider.mark_paid(link.provider_payment_id, paid_at=PAID_AT, notify=False)
    local_provider.fail_next(503, 503, 503, 503)

    with pytest.raises(ProviderUnavailable):
        payment_link_sync(provider_payment_id=link.provider_payment_id, provider=provider)
    assert PaymentLink.objects.get(pk=link.pk).status == PaymentLinkStatus.OPEN

    payment_link_sync(provider_payment_id=link.provider_payment_id, provider=provider)
    assert PaymentAllocation.objects.count() == 1
