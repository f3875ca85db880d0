"""Webhook signing secrets sealed under a data key per endpoint, wrapped by the master key (``incasso.crypto``).

The schema change turns the secret column into text holding ciphertext; ``secrets_seal`` then issues a data key for
every endpoint that has none and seals its plaintext secret, in batches of ``BATCH`` endpoints per transaction, so it
can be stopped and re-run (an endpoint with a key is done). The reverse opens every secret again; one whose key was
destroyed cannot be opened and is left empty (the endpoint must then be made again).
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models, transaction

import incasso.crypto.fields
from incasso.crypto import primitives

BATCH = 500
LABEL = "webhooks.webhookendpoint"


def _ad(key_id):
    return primitives.associated_data(LABEL, "secret", str(key_id))


def secrets_seal(apps, schema_editor):
    Endpoint = apps.get_model("webhooks", "WebhookEndpoint")
    DataKey = apps.get_model("crypto", "DataKey")
    version, master = settings.INCASSO_MASTER_KEYS[0]
    while True:
        with transaction.atomic():
            rows = list(Endpoint.objects.filter(data_key__isnull=True).order_by("pk").values("pk", "secret")[:BATCH])
            if not rows:
                return
            keys, updates = [], []
            for row in rows:
                key_id, plain = uuid.uuid4(), primitives.data_key_generate()
                keys.append(DataKey(id=key_id, subject_type=LABEL, master_version=version,
                                    wrapped_key=primitives.key_wrap(master, key_id, plain)))
                secret = str(row["secret"] or "")
                sealed = primitives.seal(primitives.AESGCM(plain), secret, _ad(key_id)) if secret else ""
                updates.append((row["pk"], key_id, primitives.Sealed(sealed)))
            DataKey.objects.bulk_create(keys)
            for pk, key_id, sealed in updates:
                Endpoint.objects.filter(pk=pk).update(data_key_id=key_id, secret=sealed)


def secrets_open(apps, schema_editor):
    Endpoint = apps.get_model("webhooks", "WebhookEndpoint")
    DataKey = apps.get_model("crypto", "DataKey")
    masters = dict(settings.INCASSO_MASTER_KEYS)
    while True:
        with transaction.atomic():
            rows = list(Endpoint.objects.filter(data_key__isnull=False).order_by("pk")
                        .values("pk", "secret", "data_key_id")[:BATCH])
            if not rows:
                return
            keys = DataKey.objects.in_bulk([row["data_key_id"] for row in rows])
            for row in rows:
                key, secret = keys[row["data_key_id"]], ""
                if row["secret"] and key.wrapped_key is not None and key.master_version in masters:
                    cipher = primitives.AESGCM(
                        primitives.key_unwrap(masters[key.master_version], key.pk, bytes(key.wrapped_key))
                    )
                    secret = primitives.unseal(cipher, str(row["secret"]), _ad(key.pk))
                Endpoint.objects.filter(pk=row["pk"]).update(data_key_id=None, secret=primitives.Sealed(secret))


class Migration(migrations.Migration):

    dependencies = [
        ("crypto", "0001_data_keys_and_retired_master_keys"),
        ("webhooks", "0001_webhook_endpoints_and_deliveries"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="data_key",
            field=models.OneToOneField(blank=True, editable=False, null=True,
                                       on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                       to="crypto.datakey"),
        ),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=incasso.crypto.fields.EncryptedTextField(max_length=64, verbose_name="signing secret"),
        ),
        migrations.RunPython(secrets_seal, secrets_open),
    ]
