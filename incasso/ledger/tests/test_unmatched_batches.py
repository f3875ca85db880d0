"""Many unmatched receipts in one call: the statement import's path. Same as one by one, in a fixed number of
queries, idempotent per key."""

import datetime
from dataclasses import replace

import pytest
from django.db import transaction

from incasso.domain.money import Money
from incasso.ledger.errors import IdempotencyConflict, LedgerError
from incasso.ledger.models import AccountKind, Entry, LedgerTransaction, TransactionKind
from incasso.ledger.selectors import balances_by_kind, unmatched_open
from incasso.ledger.services import UnmatchedToReceive, unmatched_assign, unmatched_receive, unmatched_receive_bulk
from incasso.ledger.tests.conftest import eur

pytestmark = pytest.mark.django_db
DAY = datetime.date(2023, 8, 15)


def receipts():
    """Receipts on three days, with one repeated in the same call."""
    made = [
        UnmatchedToReceive(eur(amount), DAY + datetime.timedelta(days=day), f"stmt:{n}", f"ref {n}")
        for n, (amount, day) in enumerate((("600.00", 2), ("12.34", 0), ("0.01", 1), ("99.99", 0)))
    ]
    return [*made, made[2]]


def shape(posted):
    return [
        (
            item.idempotency_key,
            item.kind,
            item.booked_on,
            item.description,
            item.source_ref,
            sorted(Entry.objects.filter(transaction=item).values_list("account__code", "amount_cents")),
        )
        for item in posted
    ]


def test_a_batch_books_exactly_as_one_by_one(worked_case):
    asked = receipts()
    with transaction.atomic():
        one_by_one = shape(
            [
                unmatched_receive(amount=r.amount, received_on=r.received_on, key=r.key, reference=r.reference)
                for r in asked
            ]
        )
        transaction.set_rollback(True)
    assert not LedgerTransaction.objects.exists()

    batch = unmatched_receive_bulk(receipts=asked)

    assert shape(LedgerTransaction.objects.get(pk=pk) for pk in batch) == one_by_one
    assert batch[-1] == batch[2]
    assert LedgerTransaction.objects.filter(kind=TransactionKind.PAYMENT).count() == 4
    assert [(item.key, item.amount) for item in unmatched_open()] == [
        ("stmt:1", eur("12.34")),
        ("stmt:3", eur("99.99")),
        ("stmt:2", eur("0.01")),
        ("stmt:0", eur("600.00")),
    ]
    assert balances_by_kind()[AccountKind.UNMATCHED] == -eur("712.34")
    assert balances_by_kind()[AccountKind.BANK_CLIENT_MONEY] == eur("712.34")


def test_a_batch_is_idempotent_per_key_with_the_one_by_one_service(worked_case):
    asked = receipts()
    first = unmatched_receive(
        amount=asked[0].amount, received_on=asked[0].received_on, key=asked[0].key, reference=asked[0].reference
    )
    batch = unmatched_receive_bulk(receipts=asked)
    assert batch[0] == first.pk
    again = unmatched_receive_bulk(receipts=asked)
    assert again == batch
    assert LedgerTransaction.objects.count() == 4
    single = unmatched_receive(
        amount=asked[1].amount, received_on=asked[1].received_on, key=asked[1].key, reference=asked[1].reference
    )
    assert single.pk == batch[1]
    # A receipt assigned to a case afterwards is still the same booking for its key.
    unmatched_assign(unmatched_key=asked[3].key, case_id=worked_case.pk, key="assign:3", booked_on=DAY)
    assert unmatched_receive_bulk(receipts=[asked[3]]) == [batch[3]]


def test_a_key_used_for_another_receipt_is_a_conflict_and_books_nothing(worked_case):
    asked = receipts()
    unmatched_receive_bulk(receipts=asked[:1])
    with pytest.raises(IdempotencyConflict):
        unmatched_receive_bulk(receipts=[asked[1], replace(asked[0], amount=eur("600.01"))])
    with pytest.raises(IdempotencyConflict):
        unmatched_receive_bulk(receipts=[asked[1], replace(asked[1], received_on=DAY + datetime.timedelta(days=5))])
    assert LedgerTransaction.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [(Money(500, "CHF"), "keeps EUR"), (eur("0.00"), "must be positive"), (eur("-1.00"), "must be positive")],
)
def test_one_refused_receipt_books_nothing_of_the_batch(worked_case, amount, message):
    asked = receipts()
    with pytest.raises(LedgerError, match=message):
        unmatched_receive_bulk(receipts=[*asked, replace(asked[0], key="bad", amount=amount)])
    assert not LedgerTransaction.objects.exists()
    assert unmatched_receive_bulk(receipts=[]) == []


def test_a_batch_takes_the_same_number_of_queries_for_ten_receipts_or_a_hundred(
    worked_case, django_assert_max_num_queries
):
    def batch(count, prefix):
        return [
            UnmatchedToReceive(eur("1.00"), DAY + datetime.timedelta(days=n % 30), f"{prefix}:{n}", f"r{n}")
            for n in range(count)
        ]

    with django_assert_max_num_queries(15) as ten:
        unmatched_receive_bulk(receipts=batch(10, "a"))
    with django_assert_max_num_queries(len(ten.captured_queries)):
        unmatched_receive_bulk(receipts=batch(100, "b"))
    assert LedgerTransaction.objects.count() == 110
