"""Debtors' blind indexes without their empty entries, keyed by the entry; no index on the client alone.

An empty entry (no value, or a debtor whose data key was destroyed) is never looked up, so it is left out of the
B-trees: an anonymised debtor's rewrite and an intake row without an e-mail address or IBAN cost them no write. The
index on ``client_id`` alone duplicated the leading column of the unique (client, reference) index.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('crypto', '0001_data_keys_and_retired_master_keys'),
        ('parties', '0003_debtor_fields_encrypted_with_blind_indexes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='debtor',
            name='debtor_iban_index',
        ),
        migrations.RemoveIndex(
            model_name='debtor',
            name='debtor_email_index',
        ),
        migrations.RemoveIndex(
            model_name='debtor',
            name='debtor_name_index',
        ),
        migrations.RemoveIndex(
            model_name='debtor',
            name='debtor_postcode_index',
        ),
        migrations.AlterField(
            model_name='debtor',
            name='client',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='debtors', to='parties.client', verbose_name='client'),
        ),
        migrations.AddIndex(
            model_name='debtor',
            index=models.Index(condition=models.Q(('iban_index', ''), _negated=True), fields=['iban_index'], name='debtor_iban_index'),
        ),
        migrations.AddIndex(
            model_name='debtor',
            index=models.Index(condition=models.Q(('email_index', ''), _negated=True), fields=['email_index'], name='debtor_email_index'),
        ),
        migrations.AddIndex(
            model_name='debtor',
            index=models.Index(condition=models.Q(('name_index', ''), _negated=True), fields=['name_index'], name='debtor_name_index'),
        ),
        migrations.AddIndex(
            model_name='debtor',
            index=models.Index(condition=models.Q(('postcode_index', ''), _negated=True), fields=['postcode_index'], name='debtor_postcode_index'),
        ),
    ]
