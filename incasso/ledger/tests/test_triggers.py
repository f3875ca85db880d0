"""The database itself keeps the ledger append-only (both databases) and balanced (PostgreSQL, per statement)."""

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
per_statement = importlib.import_module("incasso.ledger.migrations.0003_balanced_check_per_statement")
references = importlib.import_module("incasso.ledger.migrations.0004_entry_references_checked_per_statement")
own_rows = importlib.import_module("incasso.ledger.migrations.0005_statement_check_reads_only_its_own_rows")


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
    """The service refuses it on both databases. Written past the service with raw SQL, PostgreSQL's trigger
    refuses the INSERT statement that leaves it unbalanced (migration 0003); on SQLite `incasso ledger check` is
    what finds it."""
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
        with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
            _insert_unbalanced(posted)
        assert not LedgerTransaction.objects.filter(idempotency_key="raw").exists()
        assert ledger_verify().clean
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
        "postgresql": (
            triggers.PG_FORWARD + per_statement.PG_FORWARD + references.PG_FORWARD + own_rows.PG_FORWARD,
            own_rows.PG_BACKWARD + references.PG_BACKWARD + per_statement.PG_BACKWARD + triggers.PG_BACKWARD,
        ),
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


def _raw_batch(cents_of_second: int) -> list[int]:
    """Two transactions and their four entries in one INSERT each, past the service; the second's entries are
    +5.00 and -``cents_of_second``."""
    bank, suspense = account_for(AccountKind.BANK_CLIENT_MONEY), account_for(AccountKind.UNMATCHED)
    moment = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_ledgertransaction (idempotency_key, kind, booked_on, description, source_ref, created_at)"
            " VALUES ('raw-1', 'payment', %s, '', '', %s), ('raw-2', 'payment', %s, '', '', %s)",
            [DAY, moment, DAY, moment],
        )
        first, second = LedgerTransaction.objects.filter(idempotency_key__startswith="raw-").order_by("pk")
        cursor.execute(
            "INSERT INTO ledger_entry (transaction_id, account_id, amount_cents)"
            " VALUES (%s, %s, 300), (%s, %s, -300), (%s, %s, 500), (%s, %s, %s)",
            [first.pk, bank.pk, first.pk, suspense.pk, second.pk, bank.pk, second.pk, suspense.pk, -cents_of_second],
        )
    return [first.pk, second.pk]


def test_one_statement_with_balanced_transactions_stands(posted):
    _raw_batch(500)
    run_commit_time_checks()
    assert ledger_verify().clean


def test_one_unbalanced_transaction_in_a_statement_refuses_the_statement(posted, unbalanced_ledger):
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
            _raw_batch(400)
        assert not Entry.objects.filter(transaction__idempotency_key__startswith="raw-").exists()
        assert ledger_verify().clean
    else:
        _first, second = _raw_batch(400)
        assert [row["transaction"] for row in ledger_verify().unbalanced_transactions] == [second]


def _raw_entries(rows):
    """All ``rows`` in one INSERT statement, past the service (the per-statement checks see them together)."""
    values = ", ".join(["(%s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO ledger_entry (transaction_id, account_id, amount_cents) VALUES {values}",  # noqa: S608 - placeholders only
            [value for row in rows for value in row],
        )


def _commit_time_checks_including_foreign_keys():
    """PostgreSQL's deferred checks now; SQLite checks its foreign keys only at commit, so ask it here."""
    run_commit_time_checks()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_key_check(ledger_entry)")
            if cursor.fetchall():
                raise IntegrityError("FOREIGN KEY constraint failed")


def _entries_written(rows):
    with transaction.atomic():
        _raw_entries(rows)
        _commit_time_checks_including_foreign_keys()


@pytest.mark.parametrize("missing", ["transaction", "account"])
def test_an_entry_of_a_transaction_or_account_that_does_not_exist_is_refused(posted, missing, unbalanced_ledger):
    """PostgreSQL checks the references once per statement (migration 0004), SQLite by its foreign keys."""
    bank, suspense = account_for(AccountKind.BANK_CLIENT_MONEY), account_for(AccountKind.UNMATCHED)
    nowhere = 10**12
    transaction_id = nowhere if missing == "transaction" else posted.pk
    account_id = nowhere if missing == "account" else suspense.pk
    with pytest.raises(IntegrityError):
        _entries_written([(transaction_id, bank.pk, 100), (transaction_id, account_id, -100)])
    assert Entry.objects.filter(transaction=posted).count() == 2


def test_an_entry_added_alone_to_a_balanced_transaction_is_refused(posted, unbalanced_ledger):
    """The statement's own entries must balance (migration 0005 sums only them): the transaction's earlier entries
    balanced already, so one more entry unbalances it, as the sum over all its entries says too."""
    bank = account_for(AccountKind.BANK_CLIENT_MONEY)
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError, match="its entries sum to 100 cents"), transaction.atomic():
            _raw_entries([(posted.pk, bank.pk, 100)])
        assert ledger_verify().clean
    else:
        _entries_written([(posted.pk, bank.pk, 100)])
        assert [row["transaction"] for row in ledger_verify().unbalanced_transactions] == [posted.pk]


def test_entries_of_existing_transactions_and_accounts_pass_the_reference_check(posted):
    bank, suspense = account_for(AccountKind.BANK_CLIENT_MONEY), account_for(AccountKind.UNMATCHED)
    _entries_written([(posted.pk, bank.pk, 100), (posted.pk, suspense.pk, -100)])
    assert Entry.objects.filter(transaction=posted).count() == 4


def _account_deleted(account_id):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM ledger_account WHERE id = %s", [account_id])
        _commit_time_checks_including_foreign_keys()


def test_an_account_with_entries_cannot_be_deleted_even_past_the_orm(posted):
    account = account_for(AccountKind.BANK_CLIENT_MONEY)
    with pytest.raises(IntegrityError):
        _account_deleted(account.pk)
    assert Entry.objects.filter(account_id=account.pk).exists()


def test_an_account_without_entries_can_still_be_deleted(posted):
    unused = account_for(AccountKind.AGENCY_REVENUE_COSTS)
    _account_deleted(unused.pk)
    assert not type(unused).objects.filter(pk=unused.pk).exists()
