"""Destroying a data key rewrites its row in place (docs/adr/0011): no index on the master version (which destroying
changes), and on PostgreSQL each page keeps 40 % free (fillfactor 60) so the shorter destroyed row fits beside the
live one and PostgreSQL makes a HOT update, with no new primary-key entry. Pages written before keep no free space
until they are rewritten (VACUUM FULL); keys written from now on get it."""

from typing import Any

from django.db import migrations

FILLFACTOR = 60


def fillfactor_set(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE crypto_datakey SET (fillfactor = {FILLFACTOR})")


def fillfactor_reset(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE crypto_datakey RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("crypto", "0002_datakey_master_version_live_keys_only"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="datakey",
            name="datakey_master_version",
        ),
        migrations.RunPython(fillfactor_set, fillfactor_reset),
    ]
