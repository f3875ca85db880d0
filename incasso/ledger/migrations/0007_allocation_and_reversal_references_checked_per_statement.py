"""On PostgreSQL a payment allocation's transactions and a reversal's original are checked once per statement.

A foreign key queues one check per inserted row and runs them at commit, even for a row whose key is empty: a bank
statement of 100,000 entries inserts 100,000 transactions (each with an empty ``reverses``) and 50,000 allocations
(each with a transaction and an empty ``from_unmatched``), 200,000 checks. All three refer to ledger transactions,
which can never be deleted or changed (append-only, 0002): a transaction that exists when the row is written exists
for good, so no lock is needed and checking once per statement, over the statement's new rows, is the same rule.
The same trade as 0004 made for the entries (docs/adr/0004-ledger-balance-per-statement.md).

Statement triggers with transition tables (one per event: PostgreSQL allows transition tables only on triggers of
one event) count the distinct keys the new rows name and the transactions found for them by primary key
(``= ANY(ARRAY(...))``: index probes whatever the statistics), and look for the offending key only when one is
missing. Transactions are append-only, so ``reverses`` needs checking on INSERT only; allocations on both.

SQLite keeps its foreign keys (only the model state drops ``db_constraint``), as in 0004. Django's ``PROTECT`` stays.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

_FOREIGN_KEYS = (
    ("ledger_ledgertransac_reverses_id_e9a9133b_fk_ledger_le", "ledger_ledgertransaction", "reverses_id"),
    ("ledger_paymentalloca_transaction_id_c2077368_fk_ledger_le", "ledger_paymentallocation", "transaction_id"),
    ("ledger_paymentalloca_from_unmatched_id_3ece11e6_fk_ledger_le", "ledger_paymentallocation", "from_unmatched_id"),
)


def _check(column: str) -> str:
    """The body's check that every non-empty ``column`` of ``new_rows`` names an existing transaction."""
    return f"""
        SELECT count(DISTINCT {column}) INTO named FROM new_rows;
        IF named > 0 THEN
            SELECT count(*) INTO found FROM ledger_ledgertransaction AS tx
            WHERE tx.id = ANY(ARRAY(SELECT DISTINCT {column} FROM new_rows WHERE {column} IS NOT NULL));
            IF found <> named THEN
                SELECT ids.{column} INTO bad_id
                FROM (SELECT DISTINCT {column} FROM new_rows WHERE {column} IS NOT NULL) AS ids
                WHERE NOT EXISTS (SELECT 1 FROM ledger_ledgertransaction AS tx WHERE tx.id = ids.{column})
                LIMIT 1;
                RAISE EXCEPTION 'insert or update on table "%" violates foreign key: {column} % does not exist',
                    TG_TABLE_NAME, bad_id USING ERRCODE = 'foreign_key_violation';
            END IF;
        END IF;"""  # noqa: S608 - the column names are this module's constants


def _function(name: str, columns: tuple[str, ...]) -> str:
    checks = "".join(_check(column) for column in columns)
    return f"""
    CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql
    SET enable_seqscan = off
    AS $$
    DECLARE
        bad_id bigint;
        named bigint;
        found bigint;
    BEGIN{checks}
        RETURN NULL;
    END
    $$
    """


PG_FORWARD = [
    *(f"ALTER TABLE {table} DROP CONSTRAINT {name}" for name, table, _ in _FOREIGN_KEYS),
    _function("ledger_check_reversed_exists", ("reverses_id",)),
    _function("ledger_check_allocation_transactions_exist", ("transaction_id", "from_unmatched_id")),
    """
    CREATE TRIGGER ledger_transaction_reverses_exists AFTER INSERT ON ledger_ledgertransaction
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_reversed_exists()
    """,
    """
    CREATE TRIGGER ledger_allocation_inserted_transactions_exist AFTER INSERT ON ledger_paymentallocation
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION ledger_check_allocation_transactions_exist()
    """,
    """
    CREATE TRIGGER ledger_allocation_updated_transactions_exist AFTER UPDATE ON ledger_paymentallocation
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION ledger_check_allocation_transactions_exist()
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER ledger_allocation_updated_transactions_exist ON ledger_paymentallocation",
    "DROP TRIGGER ledger_allocation_inserted_transactions_exist ON ledger_paymentallocation",
    "DROP TRIGGER ledger_transaction_reverses_exists ON ledger_ledgertransaction",
    "DROP FUNCTION ledger_check_allocation_transactions_exist()",
    "DROP FUNCTION ledger_check_reversed_exists()",
    *(
        f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({column}) REFERENCES ledger_ledgertransaction (id) "
        "DEFERRABLE INITIALLY DEFERRED"
        for name, table, column in _FOREIGN_KEYS
    ),
]

# The vendor-only RunSQL of 0002 (migrations stay frozen, so the class 0002 defines never changes under this one).
RunSQLOn = import_module("incasso.ledger.migrations.0002_append_only_and_balanced_triggers").RunSQLOn


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_allocation_indexes_where_set_and_no_pattern_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ledgertransaction",
                    name="reverses",
                    field=models.OneToOneField(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reversed_by",
                        to="ledger.ledgertransaction",
                        verbose_name="reverses",
                    ),
                ),
                migrations.AlterField(
                    model_name="paymentallocation",
                    name="transaction",
                    field=models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="allocation",
                        to="ledger.ledgertransaction",
                    ),
                ),
                migrations.AlterField(
                    model_name="paymentallocation",
                    name="from_unmatched",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="ledger.ledgertransaction",
                    ),
                ),
            ],
            database_operations=[RunSQLOn("postgresql", PG_FORWARD, PG_BACKWARD)],
        )
    ]
