"""The master-version index holds live keys only: destroying a key (the retention sweep, a million at a time) writes
no entry to it, and every query by version asks for live keys (docs/adr/0009)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crypto", "0001_data_keys_and_retired_master_keys"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="datakey",
            name="datakey_master_version",
        ),
        migrations.AddIndex(
            model_name="datakey",
            index=models.Index(
                condition=models.Q(("destroyed_at__isnull", True)),
                fields=["master_version"],
                name="datakey_master_version",
            ),
        ),
    ]
