"""On PostgreSQL the claims' pages keep 40 % free (fillfactor 60, docs/adr/0011): an update that changes no indexed
column, such as the retention sweep blanking the description of every claim of a page in one transaction, or the
daily run rewriting the limitation dates, then writes the new row version in the same page (a HOT update) and no
index entry. 60 because a whole page's claims are blanked at once and each blanked version (~120 bytes with its
line pointer) must fit beside its old one (~140 with a short description, more with a longer one). Pages written
before keep no room until the table is rewritten (VACUUM FULL); claims written from now on get it."""

from typing import Any

from django.db import migrations

FILLFACTOR = 60


def fillfactor_set(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE cases_claim SET (fillfactor = {FILLFACTOR})")


def fillfactor_reset(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_claim RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_case_last_run_at"),
    ]

    operations = [
        migrations.RunPython(fillfactor_set, fillfactor_reset),
    ]
