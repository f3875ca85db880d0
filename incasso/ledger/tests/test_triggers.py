"""The database itself keeps the ledger append-only (both databases) and balanced (PostgreSQL, at commit)."""

import datetime
import importlib

import pytest
from django.db import IntegrityError, connection, transaction

from incasso.ledger.errors import UnbalancedTransaction
from incasso.ledger.models import AccountKind, Entry, LedgerTransaction, TransactionKind
from incasso.ledger.services import account_for, transaction_post
from incasso.ledger.tests.conftest import eur
from incasso.ledger.verification import ledger_verify

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 10, 1)
triggers = importlib.import_module("incasso.ledger.migrations.0002_append_only_and_balanced_triggers")


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


def refused(statement, params=()):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_entry_cannot_be_changed_or_deleted(posted):
    entry = posted.entries.first()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(amount_cents=1)
    refused("UPDATE ledger_entry SET amount_cents = -amount_cents WHERE id = %s", [entry.pk])
    refused("DELETE FROM ledger_entry WHERE id = %s", [entry.pk])
    assert Entry.objects.get(pk=entry.pk).amount_cents == entry.amount_cents


def test_a_transaction_cannot_be_changed_or_deleted(posted):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        LedgerTransaction.objects.filter(pk=posted.pk).update(description="edited")
    refused("UPDATE ledger_ledgertransaction SET booked_on = %s WHERE id = %s", [datetime.date(2020, 1, 1), posted.pk])
    refused("DELETE FROM ledger_ledgertransaction WHERE id = %s", [posted.pk])
    assert LedgerTransaction.objects.get(pk=posted.pk).description == "receipt"


def _insert_unbalanced(posted):
    """Write a second transaction with entries of +5.00 and -4.00 straight into the tables, past the service."""
    bank, suspense = account_for(AccountKind.BANK_CLIENT_MONEY), account_for(AccountKind.UNMATCHED)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_ledgertransaction (idempotency_key, kind, booked_on, description, source_ref, created_at)"
            " VALUES (%s, %s, %s, '', '', %s)",
            ["raw", "payment", DAY, datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)],
        )
        raw = LedgerTransaction.objects.get(idempotency_key="raw")
        cursor.execute(
            "INSERT INTO ledger_entry (transaction_id, account_id, amount_cents) VALUES (%s, %s, %s), (%s, %s, %s)",
            [raw.pk, bank.pk, 500, raw.pk, suspense.pk, -400],
        )
    return raw


@pytest.mark.parametrize("writer", ["service", "raw_sql"])
def test_an_unbalanced_transaction_never_stands(posted, writer, unbalanced_ledger):
    """The service refuses it on both databases. Written past the service with raw SQL, PostgreSQL's deferred
    trigger refuses it at commit (SET CONSTRAINTS ... IMMEDIATE runs the commit-time checks now); SQLite has no
    deferred triggers, and there `incasso ledger check` is what finds it."""
    if writer == "service":
        bank, suspense = account_for(AccountKind.BANK_CLIENT_MONEY), account_for(AccountKind.UNMATCHED)
        with pytest.raises(UnbalancedTransaction):
            transaction_post(
                key="bad",
                kind=TransactionKind.PAYMENT,
                booked_on=DAY,
                lines=[(bank, eur("5.00")), (suspense, -eur("4.00"))],
                description="",
            )
        assert not LedgerTransaction.objects.filter(idempotency_key="bad").exists()
    elif connection.vendor == "postgresql":
        before = transaction.savepoint()
        _insert_unbalanced(posted)
        with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
            run_commit_time_checks()
        transaction.savepoint_rollback(before)  # what a failed commit does
        assert not LedgerTransaction.objects.filter(idempotency_key="raw").exists()
    else:
        raw = _insert_unbalanced(posted)
        report = ledger_verify()
        assert not report.clean
        assert [row["transaction"] for row in report.unbalanced_transactions] == [raw.pk]


def run_commit_time_checks():
    """PostgreSQL runs the deferred checks now instead of at a commit the test transaction never reaches."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_balanced_transaction_passes_the_commit_time_check(posted):
    run_commit_time_checks()
    assert ledger_verify().clean


def test_the_trigger_migration_is_reversible(posted):
    forward, backward = {
        "postgresql": (triggers.PG_FORWARD, triggers.PG_BACKWARD),
        "sqlite": (triggers.SQLITE_FORWARD, triggers.SQLITE_BACKWARD),
    }[connection.vendor]
    run_commit_time_checks()  # PostgreSQL drops no trigger with checks of this transaction still pending
    with connection.cursor() as cursor:
        for statement in backward:
            cursor.execute(statement)
        cursor.execute("UPDATE ledger_ledgertransaction SET description = 'allowed without triggers'")
        for statement in forward:
            cursor.execute(statement)
    refused("UPDATE ledger_ledgertransaction SET description = 'refused again'")
    assert LedgerTransaction.objects.get().description == "allowed without triggers"
