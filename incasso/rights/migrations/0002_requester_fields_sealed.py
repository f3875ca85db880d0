"""Who asked (the requester's name, e-mail and phone, a subscriber's address) sealed under a data key per request
(P-3).

The key is the request's own, not the data subject's: erasing the person destroys their key, and the request must
stay readable to show it was answered (accountability, GDPR art. 5(2)). The schema change turns the columns into
text holding ciphertext; ``requests_seal`` then issues a key for every request that has none and seals its values,
``BATCH`` requests per transaction, so it can be stopped and re-run (a request with a key is done; one with nothing
to seal gets no key and is passed over). The reverse opens every value again.
"""

import uuid

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models, transaction

import incasso.crypto.fields
from incasso.crypto import primitives

BATCH = 500
LABEL = "rights.rightsrequest"
SEALED = ("requester_name", "requester_email", "requester_phone", "subscriber_email")


def requests_seal(apps, schema_editor):
    RightsRequest = apps.get_model("rights", "RightsRequest")
    DataKey = apps.get_model("crypto", "DataKey")
    version, master = settings.INCASSO_MASTER_KEYS[0]
    last = 0
    while True:
        with transaction.atomic():
            rows = list(
                RightsRequest.objects.filter(pk__gt=last, data_key__isnull=True)
                .order_by("pk")
                .values("pk", *SEALED)[:BATCH]
            )
            if not rows:
                return
            last = rows[-1]["pk"]
            keys, updates = [], []
            for row in rows:
                values = {name: str(row[name] or "") for name in SEALED}
                if not any(values.values()):
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
                cipher = primitives.AESGCM(plain)
                sealed = {
                    name: primitives.Sealed(
                        primitives.seal(cipher, value, primitives.associated_data(LABEL, name, str(key_id)))
                    )
                    if value
                    else ""
                    for name, value in values.items()
                }
                updates.append((row["pk"], key_id, sealed))
            DataKey.objects.bulk_create(keys)
            for pk, key_id, sealed in updates:
                RightsRequest.objects.filter(pk=pk).update(data_key_id=key_id, **sealed)


def requests_open(apps, schema_editor):
    RightsRequest = apps.get_model("rights", "RightsRequest")
    DataKey = apps.get_model("crypto", "DataKey")
    masters = dict(settings.INCASSO_MASTER_KEYS)
    while True:
        with transaction.atomic():
            rows = list(
                RightsRequest.objects.filter(data_key__isnull=False)
                .order_by("pk")
                .values("pk", "data_key_id", *SEALED)[:BATCH]
            )
            if not rows:
                return
            keys = DataKey.objects.in_bulk([row["data_key_id"] for row in rows])
            for row in rows:
                key = keys[row["data_key_id"]]
                cipher = None
                if key.wrapped_key is not None and key.master_version in masters:
                    data_key = primitives.key_unwrap(masters[key.master_version], key.pk, bytes(key.wrapped_key))
                    cipher = primitives.AESGCM(data_key)
                update = {}
                for name in SEALED:
                    value = str(row[name] or "")
                    if value and cipher is not None:
                        value = primitives.unseal(cipher, value, primitives.associated_data(LABEL, name, str(key.pk)))
                    elif value:
                        value = ""  # the key is destroyed: nothing can be opened
                    update[name] = primitives.Sealed(value) if value else ""
                RightsRequest.objects.filter(pk=row["pk"]).update(data_key_id=None, **update)


class Migration(migrations.Migration):
    dependencies = [
        ("crypto", "0001_data_keys_and_retired_master_keys"),
        ("rights", "0001_rights_requests"),
    ]

    operations = [
        migrations.AddField(
            model_name="rightsrequest",
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
            model_name="rightsrequest",
            name="requester_email",
            field=incasso.crypto.fields.EncryptedTextField(
                blank=True,
                max_length=254,
                validators=[django.core.validators.EmailValidator()],
                verbose_name="requester's e-mail address",
            ),
        ),
        migrations.AlterField(
            model_name="rightsrequest",
            name="requester_name",
            field=incasso.crypto.fields.EncryptedTextField(blank=True, max_length=200, verbose_name="requester's name"),
        ),
        migrations.AlterField(
            model_name="rightsrequest",
            name="requester_phone",
            field=incasso.crypto.fields.EncryptedTextField(
                blank=True, max_length=32, verbose_name="requester's phone number"
            ),
        ),
        migrations.AlterField(
            model_name="rightsrequest",
            name="subscriber_email",
            field=incasso.crypto.fields.EncryptedTextField(
                blank=True,
                max_length=254,
                validators=[django.core.validators.EmailValidator()],
                verbose_name="subscriber's e-mail address",
            ),
        ),
        migrations.RunPython(requests_seal, requests_open, elidable=False),
    ]
