"""On PostgreSQL the per-statement check of ledger entries reads only the statement's own rows and index probes.

The check of 0003/0004 was planned badly for a statement of thousands of entries: the transition table has no
statistics (the planner guesses 200 distinct values), so the sum per transaction became a merge join that walked
the whole ``transaction_id`` index from its first entry (every statement read the entire ledger: a long import
grew quadratic), the existence of the transactions a hash join over a sequential scan of all transactions, and the
account check a nested loop comparing every account of the statement with every other (2,500 x 1,250 rows per
chunk of a bank statement).

Now:

- the sums are taken over the statement's own entries (one hash aggregate over the transition table). That is the
  same rule: entries are append-only (0002) and every earlier statement left each transaction it touched summing
  to zero, so a transaction's total is zero exactly when the sum of the entries this statement adds to it is zero;
- the transactions and accounts are looked up by primary key (``= ANY(ARRAY(...))``, which the planner answers
  with index probes whatever its statistics) and counted: all exist when as many rows are found as distinct ids
  were named (the offending id is looked for only when one is missing). The accounts are still locked FOR KEY
  SHARE until commit. The function runs with ``enable_seqscan = off``: a table filled since its last ANALYZE
  (a long import, a fresh database) looks tiny to the planner, which then scans all of it and compares every row
  with every id of the array, again once per statement.

The errors, their codes and their order (transaction, account, balance) are those of 0004.
"""

from importlib import import_module

from django.db import migrations

_CHECK_OWN_ROWS = """
    CREATE OR REPLACE FUNCTION ledger_check_statement_balanced() RETURNS trigger LANGUAGE plpgsql
    SET enable_seqscan = off
    AS $$
    DECLARE
        bad_id bigint;
        total numeric;
        named bigint;
        found bigint;
    BEGIN
        SELECT count(DISTINCT transaction_id) INTO named FROM new_entries;
        SELECT count(*) INTO found FROM ledger_ledgertransaction AS tx
        WHERE tx.id = ANY(ARRAY(SELECT DISTINCT transaction_id FROM new_entries));
        IF found <> named THEN
            SELECT ids.transaction_id INTO bad_id
            FROM (SELECT DISTINCT transaction_id FROM new_entries) AS ids
            WHERE NOT EXISTS (SELECT 1 FROM ledger_ledgertransaction AS tx WHERE tx.id = ids.transaction_id)
            LIMIT 1;
            RAISE EXCEPTION 'ledger entry refers to transaction %, which does not exist', bad_id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        -- The accounts are locked as a foreign key locks them (KEY SHARE), so none can be deleted before commit.
        SELECT count(DISTINCT account_id) INTO named FROM new_entries;
        SELECT count(*) INTO found FROM (
            SELECT account.id FROM ledger_account AS account
            WHERE account.id = ANY(ARRAY(SELECT DISTINCT account_id FROM new_entries))
            FOR KEY SHARE
        ) AS locked;
        IF found <> named THEN
            SELECT ids.account_id INTO bad_id
            FROM (SELECT DISTINCT account_id FROM new_entries) AS ids
            WHERE NOT EXISTS (SELECT 1 FROM ledger_account AS account WHERE account.id = ids.account_id)
            LIMIT 1;
            RAISE EXCEPTION 'ledger entry refers to account %, which does not exist', bad_id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        -- Every earlier statement left its transactions balanced and entries never change: the new ones must.
        SELECT new_entries.transaction_id, SUM(new_entries.amount_cents) INTO bad_id, total
        FROM new_entries
        GROUP BY new_entries.transaction_id
        HAVING SUM(new_entries.amount_cents) <> 0
        LIMIT 1;
        IF bad_id IS NOT NULL THEN
            SELECT SUM(entry.amount_cents) INTO total FROM ledger_entry AS entry WHERE entry.transaction_id = bad_id;
            RAISE EXCEPTION 'ledger transaction % does not balance: its entries sum to % cents', bad_id, total
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """

_previous = import_module("incasso.ledger.migrations.0004_entry_references_checked_per_statement")
PG_FORWARD = [_CHECK_OWN_ROWS]
PG_BACKWARD = [_previous._CHECK_WITH_REFERENCES]

# The vendor-only RunSQL of 0002 (migrations stay frozen, so the class 0002 defines never changes under this one).
RunSQLOn = import_module("incasso.ledger.migrations.0002_append_only_and_balanced_triggers").RunSQLOn


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_entry_references_checked_per_statement")]

    operations = [RunSQLOn("postgresql", PG_FORWARD, PG_BACKWARD)]
