"""The postcode's region on the debtor, derived when the postcode is written (docs/adr/0009).

No backfill: a region can only be derived by opening the sealed postcode, which needs the master keys the migration
does not have. Existing rows keep NULL ("never derived"): the next save of the debtor derives it, and the retention
sweep opens the postcodes of the NULL rows it anonymises, as it did for all of them before.
"""

from django.db import migrations

import incasso.parties.models


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0006_client_contact_fields_sealed"),
    ]

    operations = [
        migrations.AddField(
            model_name="debtor",
            name="postcode_region",
            field=incasso.parties.models.PostcodeRegionField(
                blank=True, editable=False, max_length=2, null=True, verbose_name="postcode region"
            ),
        ),
    ]
