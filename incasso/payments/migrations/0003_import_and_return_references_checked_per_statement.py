"""On PostgreSQL an entry's import and a return's original are checked once per statement, not once per row.

A foreign key queues one check per inserted row and runs them all at commit, even for a row whose key is empty:
a bank statement of 100,000 entries paid for 100,000 checks of the one import they all belong to and 100,000
checks of an empty ``original_entry`` (a return is rare). Now statement triggers over the statement's new rows
(transition tables; one trigger per event, as PostgreSQL requires) count the distinct imports and originals named
and those found by key, locked FOR KEY SHARE as a foreign key locks them, and look for the offending key only when
one is missing. The other side of the rule stays in the database too: an import that still has entries, or an
entry that a return still names, cannot be deleted or re-keyed (checked after the statement, so a return deleted
together with its original passes, as with the foreign key). The same trade as the ledger's 0004 and 0007.

SQLite keeps its foreign keys (only the model state drops ``db_constraint``). Django's ``PROTECT`` stays.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

_FOREIGN_KEYS = (
    (
        "payments_statementen_statement_import_id_72079639_fk_payments_",
        "statement_import_id",
        "payments_statementimport (id)",
    ),
    (
        "payments_statementen_original_entry_id_b25217e3_fk_payments_",
        "original_entry_id",
        "payments_statemententry (entry_key)",
    ),
)

_REFERENCES_EXIST = """
    CREATE FUNCTION payments_check_entry_references() RETURNS trigger LANGUAGE plpgsql
    SET enable_seqscan = off
    AS $$
    DECLARE
        named bigint;
        found bigint;
        bad_import bigint;
        bad_key text;
    BEGIN
        SELECT count(DISTINCT statement_import_id) INTO named FROM new_rows;
        SELECT count(*) INTO found FROM (
            SELECT imported.id FROM payments_statementimport AS imported
            WHERE imported.id = ANY(ARRAY(SELECT DISTINCT statement_import_id FROM new_rows))
            FOR KEY SHARE
        ) AS locked;
        IF found <> named THEN
            SELECT ids.statement_import_id INTO bad_import
            FROM (SELECT DISTINCT statement_import_id FROM new_rows) AS ids
            WHERE NOT EXISTS (
                SELECT 1 FROM payments_statementimport AS imported WHERE imported.id = ids.statement_import_id
            )
            LIMIT 1;
            RAISE EXCEPTION 'statement entry refers to import %, which does not exist', bad_import
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        SELECT count(DISTINCT original_entry_id) INTO named FROM new_rows;
        IF named > 0 THEN
            SELECT count(*) INTO found FROM (
                SELECT original.id FROM payments_statemententry AS original
                WHERE original.entry_key = ANY(
                    ARRAY(SELECT DISTINCT original_entry_id FROM new_rows WHERE original_entry_id IS NOT NULL)
                )
                FOR KEY SHARE
            ) AS locked;
            IF found <> named THEN
                SELECT keys.original_entry_id INTO bad_key
                FROM (SELECT DISTINCT original_entry_id FROM new_rows WHERE original_entry_id IS NOT NULL) AS keys
                WHERE NOT EXISTS (
                    SELECT 1 FROM payments_statemententry AS original WHERE original.entry_key = keys.original_entry_id
                )
                LIMIT 1;
                RAISE EXCEPTION 'statement entry returns entry %, which does not exist', bad_key
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
        END IF;
        RETURN NULL;
    END
    $$
    """

_ORIGINALS_KEPT = """
    CREATE FUNCTION payments_refuse_returned_entry_gone() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        bad_key text;
    BEGIN
        SELECT gone.entry_key INTO bad_key
        FROM old_rows AS gone
        WHERE NOT EXISTS (SELECT 1 FROM payments_statemententry AS kept WHERE kept.entry_key = gone.entry_key)
            AND EXISTS (SELECT 1 FROM payments_statemententry AS ret WHERE ret.original_entry_id = gone.entry_key)
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'statement entry % is named by a return: it cannot be deleted or re-keyed', bad_key
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """

_IMPORTS_KEPT = """
    CREATE FUNCTION payments_refuse_import_with_entries_gone() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        bad_import bigint;
    BEGIN
        SELECT gone.id INTO bad_import
        FROM old_rows AS gone
        WHERE NOT EXISTS (SELECT 1 FROM payments_statementimport AS kept WHERE kept.id = gone.id)
            AND EXISTS (SELECT 1 FROM payments_statemententry AS entry WHERE entry.statement_import_id = gone.id)
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'statement import % has entries: it cannot be deleted or re-keyed', bad_import
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """

_TRIGGERS = (
    ("payments_entry_inserted_references_exist", "INSERT", "payments_statemententry", "NEW", "check_entry_references"),
    ("payments_entry_updated_references_exist", "UPDATE", "payments_statemententry", "NEW", "check_entry_references"),
    ("payments_returned_entry_deleted_kept", "DELETE", "payments_statemententry", "OLD", "refuse_returned_entry_gone"),
    ("payments_returned_entry_rekeyed_kept", "UPDATE", "payments_statemententry", "OLD", "refuse_returned_entry_gone"),
    ("payments_import_deleted_kept", "DELETE", "payments_statementimport", "OLD", "refuse_import_with_entries_gone"),
    ("payments_import_rekeyed_kept", "UPDATE", "payments_statementimport", "OLD", "refuse_import_with_entries_gone"),
)

PG_FORWARD = [
    *(f"ALTER TABLE payments_statemententry DROP CONSTRAINT {name}" for name, _, _ in _FOREIGN_KEYS),
    _REFERENCES_EXIST,
    _ORIGINALS_KEPT,
    _IMPORTS_KEPT,
    *(
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {side} TABLE AS {side.lower()}_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION payments_{function}()"
        for name, event, table, side, function in _TRIGGERS
    ),
]
PG_BACKWARD = [
    *(f"DROP TRIGGER {name} ON {table}" for name, _, table, _, _ in _TRIGGERS),
    "DROP FUNCTION payments_refuse_import_with_entries_gone()",
    "DROP FUNCTION payments_refuse_returned_entry_gone()",
    "DROP FUNCTION payments_check_entry_references()",
    *(
        f"ALTER TABLE payments_statemententry ADD CONSTRAINT {name} FOREIGN KEY ({column}) REFERENCES {target} "
        "DEFERRABLE INITIALLY DEFERRED"
        for name, column, target in _FOREIGN_KEYS
    ),
]

# The vendor-only RunSQL of ledger's 0002 (migrations stay frozen, so the class it defines never changes under this).
RunSQLOn = import_module("incasso.ledger.migrations.0002_append_only_and_balanced_triggers").RunSQLOn


class Migration(migrations.Migration):
    dependencies = [("payments", "0002_entry_indexes_where_set_and_no_pattern_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="statemententry",
                    name="statement_import",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="payments.statementimport",
                        verbose_name="import",
                    ),
                ),
                migrations.AlterField(
                    model_name="statemententry",
                    name="original_entry",
                    field=models.OneToOneField(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="return_entry",
                        to="payments.statemententry",
                        to_field="entry_key",
                        verbose_name="returned payment",
                    ),
                ),
            ],
            database_operations=[RunSQLOn("postgresql", PG_FORWARD, PG_BACKWARD)],
        )
    ]
