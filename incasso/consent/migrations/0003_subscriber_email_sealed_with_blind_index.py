"""Newsletter subscribers' addresses sealed under a data key per subscriber, found through a blind index (P-3).

The schema change turns the address column into text holding ciphertext; ``subscribers_seal`` then issues a data
key for every subscriber that has none, seals the address and writes its blind index, in batches of ``BATCH`` per
transaction, so it can be stopped and re-run (a subscriber with a key is done). Only then is the index made unique.
The reverse opens every address again.

The suppression list is re-keyed in code (``identity.email_hash`` now uses the blind-index key, not SECRET_KEY);
its rows hold only a hash, which cannot be recomputed without the address, so entries written before this
migration (there are none in production) no longer match.
"""

import uuid

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models, transaction

import incasso.crypto.fields
from incasso.crypto import primitives

BATCH = 500
LABEL = "consent.subscriber"
PURPOSE = "consent.subscriber.email"


def subscribers_seal(apps, schema_editor):
    Subscriber = apps.get_model("consent", "Subscriber")
    DataKey = apps.get_model("crypto", "DataKey")
    version, master = settings.INCASSO_MASTER_KEYS[0]
    index_key = primitives.index_key_derive(settings.INCASSO_BLIND_INDEX_KEY, PURPOSE)
    while True:
        with transaction.atomic():
            rows = list(Subscriber.objects.filter(data_key__isnull=True).order_by("pk").values("pk", "email")[:BATCH])
            if not rows:
                return
            keys, updates = [], []
            for row in rows:
                key_id, plain = uuid.uuid4(), primitives.data_key_generate()
                keys.append(
                    DataKey(
                        id=key_id,
                        subject_type=LABEL,
                        wrapped_key=primitives.key_wrap(master, key_id, plain),
                        master_version=version,
                    )
                )
                address = str(row["email"] or "")
                ad = primitives.associated_data(LABEL, "email", str(key_id))
                sealed = primitives.Sealed(primitives.seal(primitives.AESGCM(plain), address, ad)) if address else ""
                index = primitives.blind_index(index_key, primitives.normalise_email(address))
                updates.append((row["pk"], key_id, sealed, index))
            DataKey.objects.bulk_create(keys)
            for pk, key_id, sealed, index in updates:
                Subscriber.objects.filter(pk=pk).update(data_key_id=key_id, email=sealed, email_index=index)


def subscribers_open(apps, schema_editor):
    Subscriber = apps.get_model("consent", "Subscriber")
    DataKey = apps.get_model("crypto", "DataKey")
    masters = dict(settings.INCASSO_MASTER_KEYS)
    while True:
        with transaction.atomic():
            rows = list(
                Subscriber.objects.filter(data_key__isnull=False)
                .order_by("pk")
                .values("pk", "email", "data_key_id")[:BATCH]
            )
            if not rows:
                return
            keys = DataKey.objects.in_bulk([row["data_key_id"] for row in rows])
            for row in rows:
                key = keys[row["data_key_id"]]
                address = ""
                if row["email"] and key.wrapped_key is not None and key.master_version in masters:
                    data_key = primitives.key_unwrap(masters[key.master_version], key.pk, bytes(key.wrapped_key))
                    ad = primitives.associated_data(LABEL, "email", str(key.pk))
                    address = primitives.unseal(primitives.AESGCM(data_key), str(row["email"]), ad)
                # A subscriber whose key was destroyed has no address left: a placeholder keeps the column unique.
                address = address or f"erased-{row['pk']}@invalid"
                Subscriber.objects.filter(pk=row["pk"]).update(
                    data_key_id=None, email=primitives.Sealed(address), email_index=""
                )


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0002_seed_first_published_versions"),
        ("crypto", "0001_data_keys_and_retired_master_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscriber",
            name="data_key",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="crypto.datakey",
            ),
        ),
        migrations.AddField(
            model_name="subscriber",
            name="email_index",
            field=incasso.crypto.fields.BlindIndexField(
                normaliser="email", purpose="consent.subscriber.email", sources=("email",)
            ),
        ),
        migrations.AlterField(
            model_name="subscriber",
            name="email",
            field=incasso.crypto.fields.EncryptedTextField(
                max_length=254, validators=[django.core.validators.EmailValidator()], verbose_name="e-mail address"
            ),
        ),
        migrations.RunPython(subscribers_seal, subscribers_open),
        migrations.AlterField(
            model_name="subscriber",
            name="email_index",
            field=incasso.crypto.fields.BlindIndexField(
                normaliser="email", purpose="consent.subscriber.email", sources=("email",), unique=True
            ),
        ),
    ]
