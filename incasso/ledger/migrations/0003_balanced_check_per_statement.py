"""The sum-to-zero check on PostgreSQL, once per INSERT statement instead of once per entry at commit.

0002's constraint trigger ran, at commit, one ``SUM`` per inserted entry: a statement import of 100,000 entries
paid for some 300,000 sums at commit. This trigger runs after each INSERT statement on ``ledger_entry``, with the
statement's new rows as a transition table, and checks every transaction they touch in one grouped query.

The rule is the same (a transaction whose entries do not sum to zero never stands) and stricter in when: the
entries of a transaction must balance at the end of the statement that writes them, not only at commit. The one
writer, ``transactions_post``, writes all entries of all its transactions in one statement (``COPY``); an entry
added alone to a transaction, by any path, is refused at once. Decided in docs/adr/0004-ledger-balance-per-statement.md.
The trigger keeps the name ``ledger_entry_balanced``, so an operator disabling it (``ALTER TABLE ... DISABLE
TRIGGER``) names the same thing. SQLite: unchanged (the service and ``incasso ledger check`` guard the sum).
"""

from importlib import import_module

from django.db import migrations


PG_FORWARD = [
    "DROP TRIGGER ledger_entry_balanced ON ledger_entry",
    """
    CREATE FUNCTION ledger_check_statement_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
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
    """,
    """
    CREATE TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_entry
        REFERENCING NEW TABLE AS new_entries
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_statement_balanced()
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER ledger_entry_balanced ON ledger_entry",
    "DROP FUNCTION ledger_check_statement_balanced()",
    """
    CREATE CONSTRAINT TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_entry
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_transaction_balanced()
    """,
]


# The vendor-only RunSQL of 0002, taken from there rather than written again (migrations stay frozen, so the
# class 0002 defines never changes under this one).
RunSQLOn = import_module("incasso.ledger.migrations.0002_append_only_and_balanced_triggers").RunSQLOn


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_append_only_and_balanced_triggers")]

    operations = [RunSQLOn("postgresql", PG_FORWARD, PG_BACKWARD)]
