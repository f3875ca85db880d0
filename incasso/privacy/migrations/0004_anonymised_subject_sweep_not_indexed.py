"""Anonymised subjects are not indexed by their sweep: nothing looks them up that way, and it was one more write each."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('privacy', '0003_anonymised_subject_region'),
    ]

    operations = [
        migrations.AlterField(
            model_name='anonymisedsubject',
            name='sweep',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='anonymised', to='privacy.retentionsweep'),
        ),
    ]
