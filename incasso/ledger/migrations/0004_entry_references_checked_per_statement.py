"""On PostgreSQL an entry's transaction and account are checked once per INSERT statement, not once per row at commit.

A foreign key checks each inserted row on its own at commit (a row lock on the transaction and on the account per
entry): a statement import of 100,000 entries wrote some 330,000 entries and paid for 660,000 such checks, a fifth
of its database time. The rule stays in the database: the statement trigger that already checks the sums (0003)
now also refuses, at the end of the statement, any entry whose transaction or account does not exist, in one
anti-join each over the statement's new rows. The referenced rows cannot go away later: transactions are
append-only (0002), the accounts a statement uses are locked FOR KEY SHARE until commit (as a foreign key locks
them), and an account with entries refuses deletion (a trigger here). Django's ``PROTECT`` stays.
The same trade as docs/adr/0004-ledger-balance-per-statement.md: checked per statement (sooner than at commit).

SQLite keeps its foreign keys (only the model state drops ``db_constraint``): its tables are not rebuilt, which
would lose their append-only triggers.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

_FOREIGN_KEYS = (
    ("ledger_entry_transaction_id_c459e7a1_fk_ledger_le", "transaction_id", "ledger_ledgertransaction"),
    ("ledger_entry_account_id_e9f5e345_fk_ledger_account_id", "account_id", "ledger_account"),
)

_CHECK_WITH_REFERENCES = """
    CREATE OR REPLACE FUNCTION ledger_check_statement_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        bad_id bigint;
        total numeric;
    BEGIN
        SELECT ids.transaction_id INTO bad_id
        FROM (SELECT DISTINCT transaction_id FROM new_entries) AS ids
        WHERE NOT EXISTS (SELECT 1 FROM ledger_ledgertransaction AS tx WHERE tx.id = ids.transaction_id)
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'ledger entry refers to transaction %, which does not exist', bad_id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        -- The accounts are locked as a foreign key locks them (KEY SHARE), so none can be deleted before commit.
        SELECT ids.account_id INTO bad_id
        FROM (SELECT DISTINCT account_id FROM new_entries) AS ids
        LEFT JOIN (
            SELECT account.id FROM ledger_account AS account
            WHERE account.id IN (SELECT account_id FROM new_entries)
            FOR KEY SHARE
        ) AS locked ON locked.id = ids.account_id
        WHERE locked.id IS NULL
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'ledger entry refers to account %, which does not exist', bad_id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        SELECT entry.transaction_id, SUM(entry.amount_cents) INTO bad_id, total
        FROM ledger_entry AS entry
        WHERE entry.transaction_id IN (SELECT DISTINCT transaction_id FROM new_entries)
        GROUP BY entry.transaction_id
        HAVING SUM(entry.amount_cents) <> 0
        LIMIT 1;
        IF bad_id IS NOT NULL THEN
            RAISE EXCEPTION 'ledger transaction % does not balance: its entries sum to % cents', bad_id, total
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """

_CHECK_SUMS_ONLY = """
    CREATE OR REPLACE FUNCTION ledger_check_statement_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        bad_id bigint;
        total numeric;
    BEGIN
        SELECT entry.transaction_id, SUM(entry.amount_cents) INTO bad_id, total
        FROM ledger_entry AS entry
        WHERE entry.transaction_id IN (SELECT DISTINCT transaction_id FROM new_entries)
        GROUP BY entry.transaction_id
        HAVING SUM(entry.amount_cents) <> 0
        LIMIT 1;
        IF bad_id IS NOT NULL THEN
            RAISE EXCEPTION 'ledger transaction % does not balance: its entries sum to % cents', bad_id, total
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """

PG_FORWARD = [
    *(f"ALTER TABLE ledger_entry DROP CONSTRAINT {name}" for name, _, _ in _FOREIGN_KEYS),
    _CHECK_WITH_REFERENCES,
    """
    CREATE FUNCTION ledger_refuse_used_account_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM ledger_entry WHERE account_id = OLD.id) THEN
            RAISE EXCEPTION 'account % has ledger entries: it cannot be deleted', OLD.id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN OLD;
    END
    $$
    """,
    """
    CREATE TRIGGER ledger_account_used_kept BEFORE DELETE ON ledger_account
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_used_account_delete()
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER ledger_account_used_kept ON ledger_account",
    "DROP FUNCTION ledger_refuse_used_account_delete()",
    _CHECK_SUMS_ONLY,
    *(
        f"ALTER TABLE ledger_entry ADD CONSTRAINT {name} FOREIGN KEY ({column}) REFERENCES {table} (id) "
        "DEFERRABLE INITIALLY DEFERRED"
        for name, column, table in _FOREIGN_KEYS
    ),
]

# The vendor-only RunSQL of 0002 (migrations stay frozen, so the class 0002 defines never changes under this one).
RunSQLOn = import_module("incasso.ledger.migrations.0002_append_only_and_balanced_triggers").RunSQLOn


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_balanced_check_per_statement")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="entry",
                    name="transaction",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="ledger.ledgertransaction",
                    ),
                ),
                migrations.AlterField(
                    model_name="entry",
                    name="account",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="ledger.account",
                    ),
                ),
            ],
            database_operations=[RunSQLOn("postgresql", PG_FORWARD, PG_BACKWARD)],
        )
    ]
