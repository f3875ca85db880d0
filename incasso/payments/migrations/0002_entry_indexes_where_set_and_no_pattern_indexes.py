"""A statement entry's mostly empty foreign keys are indexed where set; its keys lose their pattern indexes."""

from importlib import import_module

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Django adds a ``varchar_pattern_ops`` twin to every unique or indexed text column on PostgreSQL (for LIKE with a
# fixed prefix). Nothing searches these keys by prefix (exact look-ups use the unique index), so the twins only
# cost a write per row: a bank statement writes hundreds of thousands of these rows.
PATTERN_INDEXES = (
    ("payments_statemententry_entry_key_fa29611f_like", "payments_statemententry", "entry_key"),
    ("payments_statemententry_original_entry_id_b25217e3_like", "payments_statemententry", "original_entry_id"),
)


# The vendor-only RunSQL of ledger's 0002 (migrations stay frozen, so the class it defines never changes under this).
RunSQLOn = import_module("incasso.ledger.migrations.0002_append_only_and_balanced_triggers").RunSQLOn


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_case_last_run_at"),
        ("ledger", "0002_append_only_and_balanced_triggers"),
        ("payments", "0001_statement_imports_and_entries"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="statemententry",
            name="case",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="statement_entries",
                to="cases.case",
                verbose_name="case",
            ),
        ),
        migrations.AlterField(
            model_name="statemententry",
            name="matched_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="statemententry",
            index=models.Index(
                condition=models.Q(("case__isnull", False)), fields=["case"], name="stmt_entry_case_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="statemententry",
            index=models.Index(
                condition=models.Q(("matched_by__isnull", False)),
                fields=["matched_by"],
                name="stmt_entry_matched_by_idx",
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
