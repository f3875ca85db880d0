"""Database triggers that keep the ledger append-only (both databases) and balanced (PostgreSQL).

Append-only: UPDATE and DELETE of entries and transactions are refused by the database itself, so no code path,
admin action or hand-typed SQL statement can change what was booked; a mistake is reversed by a new transaction.

Balanced: on PostgreSQL a constraint trigger, deferred to commit, refuses a transaction whose entries do not sum
to zero, whichever way they were written. SQLite has no deferred triggers; there the service check in
``transaction_post`` and ``incasso ledger check`` (which both databases run) guard the sum.

The operations look at the connection's vendor, so one migration serves both databases. It imports no app code.
"""

from django.db import migrations

PG_FORWARD = [
    """
    CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% on % refused: the ledger is append-only, reverse the transaction instead',
            TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()
    """,
    """
    CREATE TRIGGER ledger_transaction_append_only BEFORE UPDATE OR DELETE ON ledger_ledgertransaction
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()
    """,
    """
    CREATE FUNCTION ledger_check_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        total numeric;
    BEGIN
        SELECT COALESCE(SUM(amount_cents), 0) INTO total FROM ledger_entry WHERE transaction_id = NEW.transaction_id;
        IF total <> 0 THEN
            RAISE EXCEPTION 'ledger transaction % does not balance: its entries sum to % cents',
                NEW.transaction_id, total USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE CONSTRAINT TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_entry
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_transaction_balanced()
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER ledger_entry_balanced ON ledger_entry",
    "DROP FUNCTION ledger_check_transaction_balanced()",
    "DROP TRIGGER ledger_transaction_append_only ON ledger_ledgertransaction",
    "DROP TRIGGER ledger_entry_append_only ON ledger_entry",
    "DROP FUNCTION ledger_refuse_change()",
]

_SQLITE_TABLES = (("entry", "ledger_entry"), ("transaction", "ledger_ledgertransaction"))
SQLITE_FORWARD = [
    f"CREATE TRIGGER ledger_{name}_no_{op.lower()} BEFORE {op} ON {table} BEGIN "
    f"SELECT RAISE(ABORT, '{op} on {table} refused: the ledger is append-only, reverse the transaction instead'); "
    "END"
    for name, table in _SQLITE_TABLES
    for op in ("UPDATE", "DELETE")
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER ledger_{name}_no_{op.lower()}" for name, _ in _SQLITE_TABLES for op in ("UPDATE", "DELETE")
]


class RunSQLOn(migrations.RunSQL):
    """RunSQL applied only on one database vendor; on the others it does nothing, in both directions."""

    def __init__(self, vendor, sql, reverse_sql):
        super().__init__(sql, reverse_sql, elidable=False)
        self.vendor = vendor

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, args, {**kwargs, "vendor": self.vendor}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_accounts_transactions_entries_allocations_payouts")]

    operations = [
        RunSQLOn("postgresql", PG_FORWARD, PG_BACKWARD),
        RunSQLOn("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD),
    ]
