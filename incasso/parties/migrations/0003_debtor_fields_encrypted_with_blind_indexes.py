"""Debtors' personal data sealed under a data key per debtor, with blind indexes (P-3).

The schema change turns the personal columns into text holding ciphertext; ``debtors_encrypt`` then issues a data
key for every debtor that has none and seals its plaintext values, in batches of ``BATCH`` debtors per transaction,
so it can be stopped and re-run (a debtor with a key is done). The reverse opens every value again; a debtor whose
key was destroyed cannot be opened, and gets empty fields (a marker surname where a name is required).
"""

import django.core.validators
import django.db.models.deletion
import incasso.crypto.fields
import incasso.parties.validators
import uuid

from django.conf import settings
from django.db import migrations, models, transaction

from incasso.crypto import primitives

BATCH = 500
SEALED = ("given_names", "surname", "organisation_name", "date_of_birth", "street", "house_number", "postcode",
          "city", "email", "phone", "iban")
INDEXES = {
    "iban_index": ("debtor.iban", lambda v: primitives.normalise_compact(v["iban"])),
    "email_index": ("debtor.email", lambda v: primitives.normalise_email(v["email"])),
    "name_index": ("debtor.name", lambda v: primitives.normalise_name(v["surname"], v["given_names"])),
    "postcode_index": ("debtor.postcode", lambda v: primitives.normalise_compact(v["postcode"])),
}


def _label(debtor_model):
    return debtor_model._meta.label_lower


def debtors_encrypt(apps, schema_editor):
    Debtor = apps.get_model("parties", "Debtor")
    DataKey = apps.get_model("crypto", "DataKey")
    version, master = settings.INCASSO_MASTER_KEYS[0]
    index_keys = {name: primitives.index_key_derive(settings.INCASSO_BLIND_INDEX_KEY, purpose)
                  for name, (purpose, _) in INDEXES.items()}
    while True:
        with transaction.atomic():
            rows = list(Debtor.objects.filter(data_key__isnull=True).order_by("pk").values("pk", *SEALED)[:BATCH])
            if not rows:
                return
            keys = []
            for row in rows:
                key_id, plain = uuid.uuid4(), primitives.data_key_generate()
                keys.append(DataKey(id=key_id, subject_type="parties.debtor",
                                    wrapped_key=primitives.key_wrap(master, key_id, plain), master_version=version))
                cipher = primitives.AESGCM(plain)
                values = {name: str(row[name] or "") for name in SEALED}
                update = {name: primitives.Sealed(primitives.seal(cipher, value, primitives.associated_data(
                    "parties.debtor", name, str(key_id)))) if value else (None if name == "date_of_birth" else "")
                    for name, value in values.items()}
                update.update({name: primitives.blind_index(index_keys[name], normalise(values))
                               for name, (_, normalise) in INDEXES.items()})
                row["update"], row["key_id"] = update, key_id
            DataKey.objects.bulk_create(keys)
            for row in rows:
                Debtor.objects.filter(pk=row["pk"]).update(data_key_id=row["key_id"], **row["update"])


def debtors_decrypt(apps, schema_editor):
    Debtor = apps.get_model("parties", "Debtor")
    DataKey = apps.get_model("crypto", "DataKey")
    masters = dict(settings.INCASSO_MASTER_KEYS)
    last = 0
    while True:
        with transaction.atomic():
            rows = list(Debtor.objects.filter(pk__gt=last, data_key__isnull=False).order_by("pk")
                        .values("pk", "kind", "data_key_id", *SEALED)[:BATCH])
            if not rows:
                return
            keys = DataKey.objects.in_bulk([row["data_key_id"] for row in rows])
            for row in rows:
                last = row["pk"]
                key = keys[row["data_key_id"]]
                cipher = None
                if key.wrapped_key is not None and key.master_version in masters:
                    cipher = primitives.AESGCM(primitives.key_unwrap(
                        masters[key.master_version], key.pk, bytes(key.wrapped_key)))
                update = {}
                for name in SEALED:
                    value = row[name]
                    if value and cipher is not None:
                        ad = primitives.associated_data("parties.debtor", name, str(key.pk))
                        value = primitives.unseal(cipher, str(value), ad)
                    elif value:
                        value = "-" if name in {"surname", "organisation_name"} else ""
                    update[name] = primitives.Sealed(value) if value else (None if name == "date_of_birth" else "")
                Debtor.objects.filter(pk=row["pk"]).update(data_key_id=None, **update)


class Migration(migrations.Migration):

    dependencies = [
        ('crypto', '0001_data_keys_and_retired_master_keys'),
        ('parties', '0002_client_agreements_commission_contacts'),
    ]

    operations = [
        migrations.AddField(
            model_name='debtor',
            name='data_key',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='crypto.datakey'),
        ),
        migrations.AddField(
            model_name='debtor',
            name='email_index',
            field=incasso.crypto.fields.BlindIndexField(normaliser='email', purpose='debtor.email', sources=('email',)),
        ),
        migrations.AddField(
            model_name='debtor',
            name='iban_index',
            field=incasso.crypto.fields.BlindIndexField(normaliser='compact', purpose='debtor.iban', sources=('iban',)),
        ),
        migrations.AddField(
            model_name='debtor',
            name='name_index',
            field=incasso.crypto.fields.BlindIndexField(normaliser='name', purpose='debtor.name', sources=('surname', 'given_names')),
        ),
        migrations.AddField(
            model_name='debtor',
            name='postcode_index',
            field=incasso.crypto.fields.BlindIndexField(normaliser='compact', purpose='debtor.postcode', sources=('postcode',)),
        ),
        migrations.AlterField(
            model_name='debtor',
            name='city',
            field=incasso.crypto.fields.EncryptedTextField(blank=True, max_length=100, verbose_name='city'),
        ),
        migrations.AlterField(
            model_name='debtor',
            name='date_of_birth',
            field=incasso.crypto.fields.EncryptedDateField(blank=True, null=True, verbose_name='date of birth'),
        ),
        migrations.AlterField(
            model_name='debtor',
            name='email',
            field=incasso.crypto.fields.EncryptedTextField(blank=True, max_length=254, validators=[django.core.validators.EmailValidator()], verbose_name='e-mail address'),
        ),
        migrations.AlterField(
            model_name='debtor',
            name='given_names',
            field=incasso.crypto.fields.EncryptedTextField(blank=True, max_length=200, verbose_name='given names'),
        ),
        migrations.AlterField(
            model_name='debtor',
            name='house_number',
            field=incasso.crypto.fields.EncryptedTextField(blank=True, max_length=16, verbose_name='house number'),
        ),
        migrations.AlterField(
            model_name='debtor',
            name='iban',
            field=incasso.crypto.fields.EncryptedTextField(blank=True, max_length=34, validators=[incasso.parties.validators.validate_iban], verbose_name='IBAN'),
        ),
        migrations.AlterField(
            model_name='debtor',
            name='organisation_name',
            field=incasso.crypto.fields.EncryptedTextField(blank=True, max_length=200, verbose_name='organisation name'),
        ),
        migrations.AlterField(
            model_name='debtor',
            name='phone',
            field=incasso.crypto.fields.EncryptedTextField(blank=True, max_length=32, verbose_name='phone number'),
        ),
        migrations.AlterField(
            model_name='debtor',
            name='postcode',
            field=incasso.crypto.fields.EncryptedTextField(blank=True, max_length=16, verbose_name='postcode'),
        ),
        migrations.AlterField(
            model_name='debtor',
            name='street',
            field=incasso.crypto.fields.EncryptedTextField(blank=True, max_length=200, verbose_name='street'),
        ),
        migrations.AlterField(
            model_name='debtor',
            name='surname',
            field=incasso.crypto.fields.EncryptedTextField(blank=True, max_length=200, verbose_name='surname'),
        ),
        migrations.AddIndex(
            model_name='debtor',
            index=models.Index(fields=['client', 'iban_index'], name='debtor_iban_index'),
        ),
        migrations.AddIndex(
            model_name='debtor',
            index=models.Index(fields=['client', 'email_index'], name='debtor_email_index'),
        ),
        migrations.AddIndex(
            model_name='debtor',
            index=models.Index(fields=['client', 'name_index'], name='debtor_name_index'),
        ),
        migrations.AddIndex(
            model_name='debtor',
            index=models.Index(fields=['client', 'postcode_index'], name='debtor_postcode_index'),
        ),
        migrations.RunPython(debtors_encrypt, debtors_decrypt, elidable=False),
    ]
