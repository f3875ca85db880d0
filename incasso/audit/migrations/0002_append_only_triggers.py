"""Database triggers that keep the audit log append-only on both databases.

UPDATE and DELETE of audit events are refused by the database itself, so no code path, admin action or hand-typed
SQL statement changes what was recorded. The chain head is updated on every append, so it has no trigger; a head
that disagrees with the chain is what ``incasso audit verify`` reports. TRUNCATE is not refused on PostgreSQL: the
test runner empties tables with it, and whoever may TRUNCATE also owns the triggers; against that, keep the head
hash ``incasso audit verify`` prints somewhere outside the database.

The operations look at the connection's vendor, so one migration serves both databases. It imports no app code.
"""

from django.db import migrations

PG_FORWARD = [
    """
    CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% on % refused: the audit log is append-only', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER audit_event_append_only ON audit_auditevent",
    "DROP FUNCTION audit_refuse_change()",
]

SQLITE_FORWARD = [
    f"CREATE TRIGGER audit_event_no_{op.lower()} BEFORE {op} ON audit_auditevent BEGIN "
    f"SELECT RAISE(ABORT, '{op} on audit_auditevent refused: the audit log is append-only'); "
    "END"
    for op in ("UPDATE", "DELETE")
]
SQLITE_BACKWARD = [f"DROP TRIGGER audit_event_no_{op.lower()}" for op in ("UPDATE", "DELETE")]


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
    dependencies = [("audit", "0001_audit_events_and_chain_head")]

    operations = [
        RunSQLOn("postgresql", PG_FORWARD, PG_BACKWARD),
        RunSQLOn("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD),
    ]
