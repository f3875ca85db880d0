"""A rectification's old and new value (a debtor's name, an address) sealed under the debtor's data key (P-3).

The schema change adds the change's ``data_key`` (its debtor's) and turns the two columns into text holding
ciphertext; ``changes_seal`` then seals both values of every change under that key, ``BATCH`` changes per
transaction, so it can be stopped and re-run (a change with a key is done). The retention sweep's marker is not
personal and stays as it is; a change whose debtor's key is already destroyed keeps no value: both read "[erased]".
The reverse opens them again (an erased one comes back as "[erased]").

Self-contained on purpose (no import of the app's code beyond the crypto primitives and the field classes).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models, transaction

import incasso.rights.models
from incasso.crypto import primitives

BATCH = 500
LABEL = "rights.rectificationchange"
SEALED = ("old_value", "new_value")
ERASED = "[erased]"
SWEEP_MARKER = "[anonymised]"


def _ciphers(DataKey, key_ids):
    masters = dict(settings.INCASSO_MASTER_KEYS)
    ciphers = {}
    for key in DataKey.objects.filter(pk__in=list(key_ids)):
        if key.wrapped_key is not None and key.master_version in masters:
            plain = primitives.key_unwrap(masters[key.master_version], key.pk, bytes(key.wrapped_key))
            ciphers[key.pk] = primitives.AESGCM(plain)
    return ciphers


def _ad(name, key_id, row):
    return primitives.associated_data(LABEL, name, f"{key_id}/{row['request_id']}/{row['field']}")


def changes_seal(apps, schema_editor):
    Change = apps.get_model("rights", "RectificationChange")
    DataKey = apps.get_model("crypto", "DataKey")
    last = 0
    while True:
        with transaction.atomic():
            rows = list(
                Change.objects.filter(pk__gt=last, data_key__isnull=True)
                .order_by("pk")
                .values("pk", "request_id", "field", *SEALED, "debtor__data_key_id")[:BATCH]
            )
            if not rows:
                return
            last = rows[-1]["pk"]
            ciphers = _ciphers(DataKey, {row["debtor__data_key_id"] for row in rows} - {None})
            for row in rows:
                key_id = row["debtor__data_key_id"]
                cipher = ciphers.get(key_id)
                sealed = {}
                for name in SEALED:
                    value = str(row[name] or "")
                    if not value or value == SWEEP_MARKER or value.startswith(primitives.PREFIX):
                        sealed[name] = primitives.Sealed(value)
                    elif cipher is None:  # the debtor is erased: its history goes with it
                        sealed[name] = primitives.Sealed(ERASED)
                    else:
                        sealed[name] = primitives.Sealed(primitives.seal(cipher, value, _ad(name, key_id, row)))
                Change.objects.filter(pk=row["pk"]).update(data_key_id=key_id, **sealed)


def changes_open(apps, schema_editor):
    Change = apps.get_model("rights", "RectificationChange")
    DataKey = apps.get_model("crypto", "DataKey")
    while True:
        with transaction.atomic():
            rows = list(
                Change.objects.filter(data_key__isnull=False)
                .order_by("pk")
                .values("pk", "request_id", "field", *SEALED, "data_key_id")[:BATCH]
            )
            if not rows:
                return
            ciphers = _ciphers(DataKey, {row["data_key_id"] for row in rows})
            for row in rows:
                cipher = ciphers.get(row["data_key_id"])
                opened = {}
                for name in SEALED:
                    value = str(row[name] or "")
                    if value.startswith(primitives.PREFIX):
                        value = (
                            ERASED
                            if cipher is None
                            else primitives.unseal(cipher, value, _ad(name, row["data_key_id"], row))
                        )
                    opened[name] = primitives.Sealed(value)  # written as given (plain text is refused in update())
                Change.objects.filter(pk=row["pk"]).update(data_key_id=None, **opened)


class Migration(migrations.Migration):
    dependencies = [
        ("crypto", "0001_data_keys_and_retired_master_keys"),
        ("parties", "0003_debtor_fields_encrypted_with_blind_indexes"),
        ("rights", "0002_requester_fields_sealed"),
    ]

    operations = [
        migrations.AddField(
            model_name="rectificationchange",
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
            model_name="rectificationchange",
            name="new_value",
            field=incasso.rights.models.HistoryValueField(blank=True),
        ),
        migrations.AlterField(
            model_name="rectificationchange",
            name="old_value",
            field=incasso.rights.models.HistoryValueField(blank=True),
        ),
        migrations.RunPython(changes_seal, changes_open, elidable=False),
    ]
