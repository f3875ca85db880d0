"""An import's rejected rows (what the client sent about people who never became debtors: names, addresses,
amounts) sealed under a data key per import (P-3).

The key is the batch's own: the rows belong to no debtor, and destroying it erases them while the import's counts
stay. The schema change turns the JSON column into text holding ciphertext (PostgreSQL casts jsonb to its text);
``batches_seal`` then issues a key for every batch with rows and none yet and seals them, ``BATCH`` batches per
transaction, so it can be stopped and re-run (a batch with a key is done; one without rows is left empty, keyless).
The reverse opens every batch again (one whose key was destroyed comes back with no rows) and writes "[]" where
there are none, so the column can turn back into JSON.

Self-contained on purpose (no import of the app's code beyond the crypto primitives and the field class).
"""

import json
import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models, transaction

import incasso.intake.models
from incasso.crypto import primitives

BATCH = 500
LABEL = "intake.importbatch"
FIELD = "rejected"


def _ad(key_id):
    return primitives.associated_data(LABEL, FIELD, str(key_id))


def batches_seal(apps, schema_editor):
    ImportBatch = apps.get_model("intake", "ImportBatch")
    DataKey = apps.get_model("crypto", "DataKey")
    version, master = settings.INCASSO_MASTER_KEYS[0]
    last = 0
    while True:
        with transaction.atomic():
            rows = list(
                ImportBatch.objects.filter(pk__gt=last, data_key__isnull=True)
                .order_by("pk")
                .values_list("pk", FIELD)[:BATCH]
            )
            if not rows:
                return
            last = rows[-1][0]
            keys, updates = [], []
            for pk, stored in rows:
                text = str(stored or "")
                if not text or text.startswith(primitives.PREFIX):
                    continue  # empty, or sealed already (a re-run): nothing to do
                entries = json.loads(text)
                if not entries:
                    updates.append((pk, None, ""))
                    continue
                key_id, plain = uuid.uuid4(), primitives.data_key_generate()
                keys.append(
                    DataKey(
                        id=key_id,
                        subject_type=LABEL,
                        wrapped_key=primitives.key_wrap(master, key_id, plain),
                        master_version=version,
                    )
                )
                plain_text = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
                sealed = primitives.seal(primitives.AESGCM(plain), plain_text, _ad(key_id))
                updates.append((pk, key_id, primitives.Sealed(sealed)))
            DataKey.objects.bulk_create(keys)
            for pk, key_id, value in updates:
                ImportBatch.objects.filter(pk=pk).update(data_key_id=key_id, **{FIELD: value})


def batches_open(apps, schema_editor):
    ImportBatch = apps.get_model("intake", "ImportBatch")
    DataKey = apps.get_model("crypto", "DataKey")
    masters = dict(settings.INCASSO_MASTER_KEYS)
    # Batches without rows get "[]" (written as given: plain text is refused in update()), so the column casts to JSON.
    ImportBatch.objects.filter(**{FIELD: ""}).update(**{FIELD: primitives.Sealed("[]")})
    while True:
        with transaction.atomic():
            rows = list(
                ImportBatch.objects.filter(data_key__isnull=False)
                .order_by("pk")
                .values_list("pk", "data_key_id", FIELD)[:BATCH]
            )
            if not rows:
                return
            keys = DataKey.objects.in_bulk([key_id for _pk, key_id, _value in rows])
            for pk, key_id, stored in rows:
                key = keys[key_id]
                text = str(stored or "")
                if text.startswith(primitives.PREFIX):
                    if key.wrapped_key is not None and key.master_version in masters:
                        plain = primitives.key_unwrap(masters[key.master_version], key.pk, bytes(key.wrapped_key))
                        text = primitives.unseal(primitives.AESGCM(plain), text, _ad(key.pk))
                    else:
                        text = "[]"  # the key is destroyed: the rows are gone
                ImportBatch.objects.filter(pk=pk).update(data_key_id=None, **{FIELD: primitives.Sealed(text or "[]")})


class Migration(migrations.Migration):
    dependencies = [
        ("crypto", "0003_datakey_destroyed_in_place"),
        ("intake", "0001_api_keys_import_batches_claim_credits"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
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
        migrations.AlterField(
            model_name="importbatch",
            name="rejected",
            field=incasso.intake.models.SealedRowErrorsField(blank=True, default=list, verbose_name="rejected rows"),
        ),
        migrations.RunPython(batches_seal, batches_open, elidable=False),
    ]
