"""An allocation's case is indexed once (with its date), its receipt where set; keys lose their pattern indexes."""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

# Django adds a ``varchar_pattern_ops`` twin to every unique or indexed text column on PostgreSQL (for LIKE with a
# fixed prefix). Nothing searches these keys by prefix (exact look-ups use the unique index), so the twins only
# cost a write per row: a bank statement writes hundreds of thousands of these rows.
PATTERN_INDEXES = (
    ("ledger_ledgertransaction_idempotency_key_90b0d8b0_like", "ledger_ledgertransaction", "idempotency_key"),
    ("ledger_account_code_e0a3af95_like", "ledger_account", "code"),
)


# The vendor-only RunSQL of ledger's 0002 (migrations stay frozen, so the class it defines never changes under this).
RunSQLOn = import_module("incasso.ledger.migrations.0002_append_only_and_balanced_triggers").RunSQLOn


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_case_last_run_at"),
        ("ledger", "0005_statement_check_reads_only_its_own_rows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="paymentallocation",
            name="case",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payment_allocations",
                to="cases.case",
            ),
        ),
        migrations.AlterField(
            model_name="paymentallocation",
            name="from_unmatched",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assignments",
                to="ledger.ledgertransaction",
            ),
        ),
        migrations.AddIndex(
            model_name="paymentallocation",
            index=models.Index(
                condition=models.Q(("from_unmatched__isnull", False)),
                fields=["from_unmatched"],
                name="ledger_alloc_unmatched_idx",
            ),
        ),
        RunSQLOn(
            "postgresql",
            [f"DROP INDEX IF EXISTS {name}" for name, _table, _column in PATTERN_INDEXES],
            [
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column} varchar_pattern_ops)"
                for name, table, column in PATTERN_INDEXES
            ],
        ),
    ]
