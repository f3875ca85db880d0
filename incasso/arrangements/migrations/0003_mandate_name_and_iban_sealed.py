"""A direct-debit mandate's account holder and IBAN sealed under the debtor's data key (P-3).

The schema change adds the mandate's ``data_key`` (its case's debtor's) and turns the name and IBAN columns into
text holding ciphertext; ``mandates_seal`` then seals both of every mandate under that key, ``BATCH`` mandates per
transaction, so it can be stopped and re-run (a mandate with a key is done). A mandate whose debtor's key is
already destroyed keeps neither: both read "[erased]", as the debtor's own fields do. The reverse opens them again
(an erased one comes back as "[erased]").

Self-contained on purpose (no import of the app's code beyond the crypto primitives and the field classes).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models, transaction

import incasso.arrangements.models
import incasso.crypto.fields
from incasso.crypto import primitives

BATCH = 500
LABEL = "arrangements.mandate"
SEALED = ("name", "iban")
ERASED = "[erased]"


def _ciphers(DataKey, key_ids):
    masters = dict(settings.INCASSO_MASTER_KEYS)
    ciphers = {}
    for key in DataKey.objects.filter(pk__in=list(key_ids)):
        if key.wrapped_key is not None and key.master_version in masters:
            plain = primitives.key_unwrap(masters[key.master_version], key.pk, bytes(key.wrapped_key))
            ciphers[key.pk] = primitives.AESGCM(plain)
    return ciphers


def _ad(name, key_id, reference):
    return primitives.associated_data(LABEL, name, f"{key_id}/{reference}")


def mandates_seal(apps, schema_editor):
    Mandate = apps.get_model("arrangements", "Mandate")
    DataKey = apps.get_model("crypto", "DataKey")
    last = 0
    while True:
        with transaction.atomic():
            rows = list(
                Mandate.objects.filter(pk__gt=last, data_key__isnull=True)
                .order_by("pk")
                .values("pk", "reference", *SEALED, "case__debtor__data_key_id")[:BATCH]
            )
            if not rows:
                return
            last = rows[-1]["pk"]
            ciphers = _ciphers(DataKey, {row["case__debtor__data_key_id"] for row in rows} - {None})
            for row in rows:
                key_id = row["case__debtor__data_key_id"]
                cipher = ciphers.get(key_id)
                sealed = {}
                for name in SEALED:
                    value = str(row[name] or "")
                    if value.startswith(primitives.PREFIX) or not value:
                        sealed[name] = primitives.Sealed(value)
                    elif cipher is None:
                        # The debtor is erased (or never had a key): the name and IBAN go with the debtor's.
                        sealed[name] = primitives.Sealed(ERASED)
                    else:
                        sealed[name] = primitives.Sealed(
                            primitives.seal(cipher, value, _ad(name, key_id, row["reference"]))
                        )
                Mandate.objects.filter(pk=row["pk"]).update(data_key_id=key_id, **sealed)


def mandates_open(apps, schema_editor):
    Mandate = apps.get_model("arrangements", "Mandate")
    DataKey = apps.get_model("crypto", "DataKey")
    while True:
        with transaction.atomic():
            rows = list(
                Mandate.objects.filter(data_key__isnull=False)
                .order_by("pk")
                .values("pk", "reference", *SEALED, "data_key_id")[:BATCH]
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
                        if cipher is None:
                            value = ERASED
                        else:
                            value = primitives.unseal(cipher, value, _ad(name, row["data_key_id"], row["reference"]))
                    # Sealed: the encrypted field writes it as given (it refuses plain text in update()).
                    opened[name] = primitives.Sealed(value)
                Mandate.objects.filter(pk=row["pk"]).update(data_key_id=None, **opened)


class Migration(migrations.Migration):
    dependencies = [
        ("crypto", "0001_data_keys_and_retired_master_keys"),
        ("parties", "0003_debtor_fields_encrypted_with_blind_indexes"),
        ("arrangements", "0002_promise_settled_on"),
    ]

    operations = [
        migrations.AddField(
            model_name="mandate",
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
            model_name="mandate",
            name="iban",
            field=incasso.crypto.fields.EncryptedTextField(
                max_length=34, validators=[incasso.arrangements.models.validate_iban], verbose_name="debtor IBAN"
            ),
        ),
        migrations.AlterField(
            model_name="mandate",
            name="name",
            field=incasso.crypto.fields.EncryptedTextField(max_length=70, verbose_name="account holder"),
        ),
        migrations.RunPython(mandates_seal, mandates_open, elidable=False),
    ]
