"""A reversal's original and an allocation's transactions must exist, checked by the database past the ORM:
per statement by triggers on PostgreSQL (migration 0007), by foreign keys on SQLite."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from incasso.ledger.models import AccountKind, LedgerTransaction, PaymentAllocation, TransactionKind
from incasso.ledger.services import account_for, transaction_post
from incasso.ledger.tests.conftest import eur

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 10, 1)
NOWHERE = 10**12


@pytest.fixture
def posted():
    bank, suspense = account_for(AccountKind.BANK_CLIENT_MONEY), account_for(AccountKind.UNMATCHED)
    return transaction_post(
        key="k",
        kind=TransactionKind.PAYMENT,
        booked_on=DAY,
        lines=[(bank, eur("5.00")), (suspense, -eur("5.00"))],
        description="receipt",
    )


def _written(sql, params, table):
    """Run ``sql`` past the ORM with every check the database makes before commit (SQLite's foreign keys too)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        else:
            cursor.execute(f"PRAGMA foreign_key_check({table})")
            if cursor.fetchall():
                raise IntegrityError("FOREIGN KEY constraint failed")


def _reversal(reverses_id, key):
    _written(
        "INSERT INTO ledger_ledgertransaction (idempotency_key, kind, booked_on, description, reverses_id, source_ref,"
        " created_at) VALUES (%s, 'reversal', %s, 'undo', %s, '', %s)",
        [key, DAY, reverses_id, datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)],
        "ledger_ledgertransaction",
    )


def _allocation(transaction_id, from_unmatched_id, case_id):
    _written(
        "INSERT INTO ledger_paymentallocation (transaction_id, case_id, received_on, amount_cents, to_costs_cents,"
        " to_interest_cents, to_principal_cents, overpayment_cents, agency_costs_cents, agency_interest_cents, lines,"
        " source, reference, from_unmatched_id) VALUES (%s, %s, %s, 500, 0, 0, 500, 0, 0, 0, '[]', 'bank', '', %s)",
        [transaction_id, case_id, DAY, from_unmatched_id],
        "ledger_paymentallocation",
    )


def test_a_reversal_of_a_transaction_that_does_not_exist_is_refused(posted):
    with pytest.raises(IntegrityError):
        _reversal(NOWHERE, "undo-nowhere")
    assert not LedgerTransaction.objects.filter(idempotency_key="undo-nowhere").exists()


def test_a_reversal_of_an_existing_transaction_passes(posted):
    _reversal(posted.pk, "undo-k")
    assert LedgerTransaction.objects.get(idempotency_key="undo-k").reverses_id == posted.pk


@pytest.mark.parametrize("missing", ["transaction", "from_unmatched"])
def test_an_allocation_naming_a_transaction_that_does_not_exist_is_refused(posted, worked_case, missing):
    transaction_id = NOWHERE if missing == "transaction" else posted.pk
    from_unmatched_id = NOWHERE if missing == "from_unmatched" else None
    with pytest.raises(IntegrityError):
        _allocation(transaction_id, from_unmatched_id, worked_case.pk)
    assert not PaymentAllocation.objects.exists()


def test_an_allocation_moved_to_a_transaction_that_does_not_exist_is_refused(posted, worked_case):
    _allocation(posted.pk, posted.pk, worked_case.pk)
    with pytest.raises(IntegrityError):
        _written("UPDATE ledger_paymentallocation SET transaction_id = %s", [NOWHERE], "ledger_paymentallocation")
    assert PaymentAllocation.objects.get().transaction_id == posted.pk
