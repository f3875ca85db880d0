"""Many payments in one call: the statement import's path. Same result as one by one, in a fixed number of queries."""

import datetime
from dataclasses import replace

import pytest
from django.db import transaction

from incasso.ledger.errors import IdempotencyConflict, LedgerError
from incasso.ledger.models import LedgerTransaction
from incasso.ledger.services import PaymentToReceive, payment_receive, payments_receive
from incasso.ledger.tests.conftest import WORKED_CLAIMS, eur, make_case

pytestmark = pytest.mark.django_db
START = datetime.date(2023, 8, 1)


@pytest.fixture
def cases(creditor_with_terms, creditor):
    return [
        make_case(creditor_with_terms, claims=WORKED_CLAIMS, costs_due_from=datetime.date(2023, 5, 1)),
        make_case(creditor, claims=(("K", "250.00", datetime.date(2023, 2, 1)),)),
        make_case(
            creditor, claims=(("L", "80.00", datetime.date(2023, 6, 1)),), costs_due_from=datetime.date(2023, 7, 1)
        ),
    ]


def statement(cases):
    """Payments to three cases, out of date order, overpaying one, with a repeated entry."""
    rows = [
        (0, "600.00", 14),
        (1, "100.00", 3),
        (0, "1000.00", 2),
        (2, "500.00", 9),
        (1, "400.00", 20),
        (0, "50.00", 14),
    ]
    payments = [
        PaymentToReceive(cases[case].pk, eur(amount), START + datetime.timedelta(days=day), f"stmt:{n}", "bank")
        for n, (case, amount, day) in enumerate(rows)
    ]
    return [*payments, payments[1]]


def strip(record):
    return replace(record, transaction_id=0)


def test_a_batch_allocates_exactly_as_booking_one_by_one(cases):
    payments = statement(cases)
    with transaction.atomic():
        one_by_one = [
            payment_receive(case_id=p.case_id, amount=p.amount, received_on=p.received_on, key=p.key, source=p.source)
            for p in payments
        ]
        transaction.set_rollback(True)
    assert not LedgerTransaction.objects.exists()
    batch = payments_receive(payments=payments)
    assert [strip(record) for record in batch] == [strip(record) for record in one_by_one]
    assert batch[-1].duplicate and batch[-1].transaction_id == batch[1].transaction_id
    assert batch[4].overpayment.cents > 0
    assert LedgerTransaction.objects.count() == 6
    again = payments_receive(payments=payments)
    assert all(record.duplicate for record in again)
    assert [record.transaction_id for record in again] == [record.transaction_id for record in batch]


def test_a_batch_takes_the_same_number_of_queries_for_ten_payments_or_a_hundred(cases, django_assert_max_num_queries):
    def payments(count, prefix):
        return [
            PaymentToReceive(
                cases[n % 3].pk, eur("1.00"), START + datetime.timedelta(days=n % 30), f"{prefix}:{n}", "bank"
            )
            for n in range(count)
        ]

    with django_assert_max_num_queries(30) as ten:
        payments_receive(payments=payments(10, "a"))
    with django_assert_max_num_queries(len(ten.captured_queries)):
        payments_receive(payments=payments(100, "b"))


def test_a_key_given_twice_for_different_payments_is_refused(cases):
    first = PaymentToReceive(cases[0].pk, eur("10.00"), START, "k", "bank")
    with pytest.raises(IdempotencyConflict):
        payments_receive(payments=[first, replace(first, amount=eur("11.00"))])
    assert not LedgerTransaction.objects.exists()


def test_one_refused_payment_books_nothing_of_the_batch(cases):
    good = PaymentToReceive(cases[0].pk, eur("10.00"), START, "good", "bank")
    with pytest.raises(LedgerError, match="no case"):
        payments_receive(payments=[good, replace(good, case_id=999_999, key="bad")])
    assert not LedgerTransaction.objects.exists()
    assert payments_receive(payments=[]) == []
