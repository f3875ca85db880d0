"""A legal hold may name a client: its client-relationship data (the contact persons) is kept past its retention
while the hold is in force. The check that a hold names something now counts the client too."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        # The client table is older than any of parties' later migrations: depend on no more than needed.
        ("parties", "0005_client_relationship_ended_on"),
        ("privacy", "0004_anonymised_subject_sweep_not_indexed"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="legalhold",
            name="legal_hold_has_subject",
        ),
        migrations.AddField(
            model_name="legalhold",
            name="client",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="legal_holds",
                to="parties.client",
            ),
        ),
        migrations.AddConstraint(
            model_name="legalhold",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("case__isnull", False), ("debtor__isnull", False), ("client__isnull", False), _connector="OR"
                ),
                name="legal_hold_has_subject",
            ),
        ),
    ]
