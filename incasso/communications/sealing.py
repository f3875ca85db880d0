"""A letter's printed values with the addressee's name and address sealed under the debtor's data key (P-3).

``Letter.data`` is the record of what a letter printed. Its ``recipient`` part (the name and the lines in the
envelope window) is the only direct identifier in it, so only that part is sealed, under the addressee's own data
key: destroying the key (erasure, the retention sweep) makes it unreadable here too, in backups included. The rest
(amounts, dates, the case number, the 14-day term) stays readable JSON, as it is on the case's own rows: the 14-day
term is read per case with one query and no key (``selectors.fourteen_day_letters_posted``), the sweep blanks the
whole value with one UPDATE, and a letter of an erased debtor still renders, addressed to "[erased]".

The attribute reads like a plain JSON field (``letter.data["recipient"]["name"]``): the part is opened on first
access, with the key loaded for all rows read together (``EncryptedModel``). The column holds the part as one sealed
string; a part that cannot be opened (key destroyed, ciphertext tampered with) reads as an erased recipient.
Writers seal with ``save()`` or, for many letters at once, ``printed_values_sealed``; a plaintext part given to
``QuerySet.update`` is refused, as for every encrypted field.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.query_utils import DeferredAttribute

from incasso.crypto import keyring, primitives
from incasso.crypto.fields import KEY_ATTNAME, EncryptedModel, is_unavailable, unavailable

logger = logging.getLogger(__name__)

RECIPIENT = "recipient"
# Where an instance keeps the printed values it has opened.
_OPENED = "_printed_values_opened"
# What the part holds when there was nothing to seal it under (the debtor's key already destroyed): reads as erased.
_TOMBSTONE = "[erased]"


def erased_recipient() -> dict[str, Any]:
    """The recipient of a letter whose addressee's data key is destroyed: as the debtor's own fields read."""
    return {"name": unavailable(), "lines": [unavailable()]}


def _stored(value: object) -> bool:
    """Printed values whose recipient part is in its stored (sealed) form."""
    return isinstance(value, Mapping) and isinstance(value.get(RECIPIENT), str)


def _plain(value: object) -> bool:
    """Printed values with a recipient part still to be sealed."""
    return isinstance(value, Mapping) and value.get(RECIPIENT) is not None and not isinstance(value[RECIPIENT], str)


def _ad(instance: models.Model, key_id: uuid.UUID) -> bytes:
    row_key = instance.encryption_row_key(key_id) if isinstance(instance, EncryptedModel) else str(key_id)
    return primitives.associated_data(instance._meta.label_lower, f"data.{RECIPIENT}", row_key)


def printed_values_sealed(instance: models.Model, key_id: uuid.UUID | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` as stored for ``instance`` (a letter), its recipient sealed under ``key_id``, the debtor's data key:
    for writers that store many letters themselves. One AES-GCM seal; no query while the key is cached (the
    addressees' keys were loaded, in one query, to read their names)."""
    if not _plain(data):
        return dict(data)
    cipher = keyring.cipher_for(key_id) if key_id is not None else None
    if key_id is None or cipher is None:  # nothing left to seal under: the values were read as "[erased]" anyway
        return {**data, RECIPIENT: _TOMBSTONE}
    text = json.dumps(data[RECIPIENT], ensure_ascii=False, separators=(",", ":"))
    return {**data, RECIPIENT: primitives.seal(cipher, text, _ad(instance, key_id))}


def _recipient_open(instance: models.Model, sealed: str) -> Any:
    key_id = instance.__dict__[KEY_ATTNAME] if KEY_ATTNAME in instance.__dict__ else getattr(instance, KEY_ATTNAME)
    cipher = keyring.cipher_for(key_id) if key_id is not None else None
    if cipher is None or not sealed.startswith(primitives.PREFIX):
        return erased_recipient()
    try:
        return json.loads(primitives.unseal(cipher, sealed, _ad(instance, key_id)))
    except primitives.DecryptionFailed:
        logger.error("%s.data of %s does not authenticate", instance._meta.label, instance.pk)
        return erased_recipient()


class _PrintedValuesAttribute(DeferredAttribute):
    field: PrintedValuesField

    def __get__(self, instance: models.Model | None, cls: type | None = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if not _stored(value):
            return value
        opened: dict[str, Any] = instance.__dict__.setdefault(_OPENED, {})
        attname = self.field.attname
        if attname not in opened:
            opened[attname] = {**value, RECIPIENT: _recipient_open(instance, value[RECIPIENT])}
        return opened[attname]

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value
        instance.__dict__.get(_OPENED, {}).pop(self.field.attname, None)


class PrintedValuesField(models.JSONField):
    """JSON whose ``recipient`` part is sealed under the row's data key (``data_key``, the debtor's)."""

    descriptor_class = _PrintedValuesAttribute

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        stored = model_instance.__dict__.get(self.attname)
        # Values read and opened are a dict the caller may have changed in place: what is saved is what it reads.
        value = model_instance.__dict__.get(_OPENED, {}).get(self.attname, stored)
        if not isinstance(value, Mapping) or not _plain(value):
            return value
        if isinstance(stored, Mapping) and _stored(stored) and is_unavailable(value[RECIPIENT].get("name")):
            # A recipient that could not be opened (key destroyed, ciphertext tampered with) is kept as it is
            # stored, not sealed over with its "[erased]" reading: the original stays for whoever can investigate.
            return {**value, RECIPIENT: stored[RECIPIENT]}
        key_id = model_instance.__dict__.get(KEY_ATTNAME)
        if key_id is None:  # a row written on its own: the model says whose key seals it (the addressee's)
            key_id = model_instance.__dict__[KEY_ATTNAME] = model_instance.addressee_key()  # type: ignore[attr-defined]
        sealed = printed_values_sealed(model_instance, key_id, value)
        model_instance.__dict__[self.attname] = sealed
        model_instance.__dict__.setdefault(_OPENED, {})[self.attname] = value
        return sealed

    def get_db_prep_save(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        if _plain(value):
            raise ValueError(
                f"{self.model._meta.label}.{self.name} holds a recipient to seal: write it with save() or with "
                "printed_values_sealed, not with update() or bulk_update()"
            )
        return super().get_db_prep_save(value, connection)
