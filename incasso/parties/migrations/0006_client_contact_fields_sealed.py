"""Client contacts' personal fields sealed under a data key per contact, the address found through a blind index (P-3).

The schema change turns the name, e-mail, phone and role columns into text holding ciphertext; ``contacts_seal``
then issues a data key for every contact that has none and seals its values, in batches of ``BATCH`` contacts per
transaction, so it can be stopped and re-run (a contact with a key is done). A contact erased before this migration
(name "[erased]", nothing else) gets no key: there is nothing left to seal, and its name reads "[erased]" as a
shredded one does. Only then is the partial index on the address's entries built. The reverse opens every value
again; a contact whose key was destroyed gets the erased values back.

Self-contained on purpose (no import of the app's code beyond the crypto primitives): the lead may renumber it.
"""

import uuid

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models, transaction

import incasso.crypto.fields
from incasso.crypto import primitives

BATCH = 500
LABEL = "parties.clientcontact"
EMAIL_PURPOSE = "parties.clientcontact.email"
SEALED = ("name", "email", "phone", "role")
ERASED_NAME = "[erased]"


def _erased_before(row):
    return row["name"] == ERASED_NAME and not (row["email"] or row["phone"] or row["role"])


def contacts_seal(apps, schema_editor):
    ClientContact = apps.get_model("parties", "ClientContact")
    DataKey = apps.get_model("crypto", "DataKey")
    version, master = settings.INCASSO_MASTER_KEYS[0]
    index_key = primitives.index_key_derive(settings.INCASSO_BLIND_INDEX_KEY, EMAIL_PURPOSE)
    last = 0
    while True:
        with transaction.atomic():
            rows = list(
                ClientContact.objects.filter(pk__gt=last, data_key__isnull=True)
                .order_by("pk")
                .values("pk", *SEALED)[:BATCH]
            )
            if not rows:
                return
            last = rows[-1]["pk"]
            keys, updates = [], []
            for row in rows:
                if _erased_before(row):
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
                values = {name: str(row[name] or "") for name in SEALED}
                sealed = {
                    name: primitives.Sealed(
                        primitives.seal(cipher, value, primitives.associated_data(LABEL, name, str(key_id)))
                    )
                    if value
                    else ""
                    for name, value in values.items()
                }
                sealed["email_index"] = primitives.blind_index(index_key, primitives.normalise_email(values["email"]))
                updates.append((row["pk"], key_id, sealed))
            DataKey.objects.bulk_create(keys)
            for pk, key_id, sealed in updates:
                ClientContact.objects.filter(pk=pk).update(data_key_id=key_id, **sealed)


def contacts_open(apps, schema_editor):
    ClientContact = apps.get_model("parties", "ClientContact")
    DataKey = apps.get_model("crypto", "DataKey")
    masters = dict(settings.INCASSO_MASTER_KEYS)
    while True:
        with transaction.atomic():
            rows = list(
                ClientContact.objects.filter(data_key__isnull=False)
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
                    if value.startswith(primitives.PREFIX) and cipher is not None:
                        ad = primitives.associated_data(LABEL, name, str(key.pk))
                        value = primitives.unseal(cipher, value, ad)
                    elif value.startswith(primitives.PREFIX) or cipher is None:
                        # Shredded: nothing can be opened; the row reads as an erased contact.
                        value = ERASED_NAME if name == "name" else ""
                    update[name] = primitives.Sealed(value) if value else ""
                ClientContact.objects.filter(pk=row["pk"]).update(data_key_id=None, email_index="", **update)


class Migration(migrations.Migration):
    dependencies = [
        ("crypto", "0001_data_keys_and_retired_master_keys"),
        ("parties", "0005_client_relationship_ended_on"),
    ]

    operations = [
        migrations.AddField(
            model_name="clientcontact",
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
            model_name="clientcontact",
            name="email_index",
            field=incasso.crypto.fields.BlindIndexField(
                normaliser="email", purpose="parties.clientcontact.email", sources=("email",)
            ),
        ),
        migrations.AlterField(
            model_name="clientcontact",
            name="name",
            field=incasso.crypto.fields.EncryptedTextField(max_length=200, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="clientcontact",
            name="email",
            field=incasso.crypto.fields.EncryptedTextField(
                blank=True,
                max_length=254,
                validators=[django.core.validators.EmailValidator()],
                verbose_name="e-mail address",
            ),
        ),
        migrations.AlterField(
            model_name="clientcontact",
            name="phone",
            field=incasso.crypto.fields.EncryptedTextField(blank=True, max_length=32, verbose_name="phone number"),
        ),
        migrations.AlterField(
            model_name="clientcontact",
            name="role",
            field=incasso.crypto.fields.EncryptedTextField(blank=True, max_length=100, verbose_name="role"),
        ),
        migrations.RunPython(contacts_seal, contacts_open, elidable=False),
        migrations.AddIndex(
            model_name="clientcontact",
            index=models.Index(
                condition=models.Q(("email_index", ""), _negated=True),
                fields=["email_index"],
                name="clientcontact_email_index",
            ),
        ),
    ]
