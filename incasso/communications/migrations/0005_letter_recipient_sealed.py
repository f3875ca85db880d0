"""The addressee's name and address in a letter's printed values sealed under the debtor's data key (P-3).

The schema change adds the letter's ``data_key`` (the debtor's) and makes ``data`` a JSON field whose ``recipient``
part is stored sealed. ``recipients_seal`` then seals that part of every letter that has one, under the key of its
case's debtor, ``BATCH`` letters per transaction, so it can be stopped and re-run (a letter with a key is done; a
queued letter has no printed values and is passed over). A letter whose debtor's key is already destroyed keeps
no name: its recipient reads "[erased]", as the debtor's own fields do. The reverse opens every part again (an
erased one comes back as "[erased]").

Self-contained on purpose (no import of the app's code beyond the crypto primitives and the field class).
"""

import json

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models, transaction

import incasso.communications.sealing
from incasso.crypto import primitives

BATCH = 500
LABEL = "communications.letter"
PART = "recipient"
ERASED = "[erased]"


def _ciphers(DataKey, key_ids):
    masters = dict(settings.INCASSO_MASTER_KEYS)
    ciphers = {}
    for key in DataKey.objects.filter(pk__in=list(key_ids)):
        if key.wrapped_key is not None and key.master_version in masters:
            plain = primitives.key_unwrap(masters[key.master_version], key.pk, bytes(key.wrapped_key))
            ciphers[key.pk] = primitives.AESGCM(plain)
    return ciphers


def _ad(key_id, idempotency_key):
    return primitives.associated_data(LABEL, f"data.{PART}", f"{key_id}/{idempotency_key}")


def recipients_seal(apps, schema_editor):
    Letter = apps.get_model("communications", "Letter")
    DataKey = apps.get_model("crypto", "DataKey")
    last = 0
    while True:
        with transaction.atomic():
            rows = list(
                Letter.objects.filter(pk__gt=last, data_key__isnull=True)
                .order_by("pk")
                .values("pk", "idempotency_key", "data", "case__debtor__data_key_id")[:BATCH]
            )
            if not rows:
                return
            last = rows[-1]["pk"]
            todo = [row for row in rows if isinstance(row["data"], dict) and isinstance(row["data"].get(PART), dict)]
            ciphers = _ciphers(DataKey, {row["case__debtor__data_key_id"] for row in todo} - {None})
            for row in todo:
                key_id = row["case__debtor__data_key_id"]
                cipher = ciphers.get(key_id)
                if cipher is None:
                    part = ERASED  # the debtor is erased (or never had a key): nothing to seal the name under
                else:
                    text = json.dumps(row["data"][PART], ensure_ascii=False, separators=(",", ":"))
                    part = primitives.seal(cipher, text, _ad(key_id, row["idempotency_key"]))
                Letter.objects.filter(pk=row["pk"]).update(data={**row["data"], PART: part}, data_key_id=key_id)


def recipients_open(apps, schema_editor):
    Letter = apps.get_model("communications", "Letter")
    DataKey = apps.get_model("crypto", "DataKey")
    last = 0
    while True:
        with transaction.atomic():
            rows = list(
                Letter.objects.filter(pk__gt=last)
                .order_by("pk")
                .values("pk", "idempotency_key", "data", "data_key_id")[:BATCH]
            )
            if not rows:
                return
            last = rows[-1]["pk"]
            ciphers = _ciphers(DataKey, {row["data_key_id"] for row in rows} - {None})
            for row in rows:
                data = row["data"]
                if not (isinstance(data, dict) and isinstance(data.get(PART), str)):
                    if row["data_key_id"] is not None:
                        Letter.objects.filter(pk=row["pk"]).update(data_key_id=None)
                    continue
                cipher = ciphers.get(row["data_key_id"])
                part = {"name": ERASED, "lines": [ERASED]}
                if cipher is not None and data[PART].startswith(primitives.PREFIX):
                    part = json.loads(
                        primitives.unseal(cipher, data[PART], _ad(row["data_key_id"], row["idempotency_key"]))
                    )
                # A value expression: the sealed field refuses a plain recipient given to update().
                opened = models.Value({**data, PART: part}, output_field=models.JSONField())
                Letter.objects.filter(pk=row["pk"]).update(data=opened, data_key_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("crypto", "0001_data_keys_and_retired_master_keys"),
        ("parties", "0003_debtor_fields_encrypted_with_blind_indexes"),
        ("communications", "0004_idempotency_keys_without_pattern_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="letter",
            name="data_key",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="crypto.datakey",
            ),
        ),
        migrations.AlterField(
            model_name="letter",
            name="data",
            field=incasso.communications.sealing.PrintedValuesField(
                blank=True, default=dict, verbose_name="printed values"
            ),
        ),
        migrations.RunPython(recipients_seal, recipients_open, elidable=False),
    ]
