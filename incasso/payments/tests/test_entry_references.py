"""An entry's import and a return's original must exist and stay, checked by the database past the ORM: per
statement by triggers on PostgreSQL (migration 0003), by foreign keys on SQLite."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from incasso.payments.models import StatementEntry, StatementImport

pytestmark = pytest.mark.django_db
NOWHERE = 10**12
_COLUMNS = (
    "statement_import_id, entry_key, position, account_iban, booking_date, amount_cents, currency, counterparty_name,"
    " counterparty_iban, remittance, structured_reference, end_to_end_id, mandate_id, bank_reference, return_reason,"
    " status, match_rule, ledger_key, note, created_at, original_entry_id"
)


def _checked(sql, params):
    """Run ``sql`` past the ORM with every check the database makes before commit (SQLite's foreign keys too)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        else:
            cursor.execute("PRAGMA foreign_key_check")
            if cursor.fetchall():
                raise IntegrityError("FOREIGN KEY constraint failed")


def _entries(*rows):
    """(import id, entry key, original's key) rows in one INSERT statement: the per-statement checks see them
    together."""
    values = ", ".join(
        ["(%s, %s, 0, '', %s, 100, 'EUR', '', '', '', '', '', '', '', '', 'ignored', '', '', '', %s, %s)"] * len(rows)
    )
    day, now = datetime.date(2026, 10, 5), datetime.datetime(2026, 10, 5, tzinfo=datetime.UTC)
    params = [value for import_id, key, original in rows for value in (import_id, key, day, now, original)]
    _checked(f"INSERT INTO payments_statemententry ({_COLUMNS}) VALUES {values}", params)  # noqa: S608 - placeholders only


@pytest.fixture
def imported():
    return StatementImport.objects.create(filename="s.xml", sha256="1" * 64)


def test_an_entry_of_an_import_that_does_not_exist_is_refused(imported):
    with pytest.raises(IntegrityError):
        _entries((imported.pk, "a", None), (NOWHERE, "b", None))
    assert not StatementEntry.objects.exists()


def test_a_return_of_an_entry_that_does_not_exist_is_refused(imported):
    with pytest.raises(IntegrityError):
        _entries((imported.pk, "a", None), (imported.pk, "b", "nowhere"))
    assert not StatementEntry.objects.exists()


def test_a_return_and_its_original_in_one_statement_pass(imported):
    _entries((imported.pk, "a", None), (imported.pk, "b", "a"))
    assert StatementEntry.objects.get(entry_key="b").original_entry_id == "a"


def test_an_original_that_a_return_names_stays_until_the_return_goes(imported):
    _entries((imported.pk, "a", None), (imported.pk, "b", "a"))
    with pytest.raises(IntegrityError):
        _checked("DELETE FROM payments_statemententry WHERE entry_key = %s", ["a"])
    with pytest.raises(IntegrityError):
        _checked("UPDATE payments_statemententry SET entry_key = %s WHERE entry_key = %s", ["z", "a"])
    assert StatementEntry.objects.count() == 2
    _checked("DELETE FROM payments_statemententry WHERE entry_key IN (%s, %s)", ["a", "b"])
    assert not StatementEntry.objects.exists()


def test_an_import_with_entries_cannot_be_deleted_past_the_orm(imported):
    _entries((imported.pk, "a", None))
    with pytest.raises(IntegrityError):
        _checked("DELETE FROM payments_statementimport WHERE id = %s", [imported.pk])
    assert StatementImport.objects.filter(pk=imported.pk).exists()
    _checked("DELETE FROM payments_statemententry WHERE statement_import_id = %s", [imported.pk])
    _checked("DELETE FROM payments_statementimport WHERE id = %s", [imported.pk])
    assert not StatementImport.objects.exists()
