"""An anonymised subject's debtor and sweep are no longer database constraints (docs/adr/0011): their check at
commit, one lookup per row and reference, was a sixth of PostgreSQL's work per subject in the retention sweep.
Django still cascades (debtor) and protects (sweep) on delete."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0005_legal_hold_on_a_client"),
    ]

    operations = [
        migrations.AlterField(
            model_name="anonymisedsubject",
            name="debtor",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="anonymised",
                to="parties.debtor",
            ),
        ),
        migrations.AlterField(
            model_name="anonymisedsubject",
            name="sweep",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="anonymised",
                to="privacy.retentionsweep",
            ),
        ),
    ]
