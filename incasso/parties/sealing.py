"""A debtor's values as stored: sealed under its data key, with its blind-index entries (P-3).

For writers that insert debtor rows without building model instances (the intake's COPY path); ``Debtor.save`` and
``bulk_create`` do the same through the fields themselves. ``debtors_sealer`` seals many new debtors at once, each
under a new data key, without the database (so a worker process can do it).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from incasso.crypto.bulk import SubjectSealer
from incasso.crypto.fields import BlindIndexField, EncryptedTextField, seal_with
from incasso.parties.models import Debtor

SEALED_FIELDS: tuple[str, ...] = tuple(
    field.name for field in Debtor._meta.concrete_fields if isinstance(field, EncryptedTextField)
)
INDEX_FIELDS: tuple[BlindIndexField, ...] = tuple(
    field for field in Debtor._meta.concrete_fields if isinstance(field, BlindIndexField)
)
INDEX_COLUMNS: tuple[str, ...] = tuple(field.attname for field in INDEX_FIELDS)


def debtor_values_seal(values: Mapping[str, Any], *, key_id: uuid.UUID, cipher: AESGCM) -> dict[str, Any]:
    """``values`` (plaintext, by field name) with the personal ones sealed, plus every blind-index column and the
    data key, ready for an insert."""
    stored = dict(values)
    for name in SEALED_FIELDS:
        if name in stored:
            stored[name] = seal_with(Debtor, name, key_id, cipher, stored[name])
    for index in INDEX_FIELDS:
        stored[index.attname] = index.compute(*(values.get(source, "") for source in index.sources))
    stored["data_key_id"] = key_id
    return stored


def debtors_sealer(fields: Sequence[str]) -> SubjectSealer:
    """Seals new debtors given as tuples of plaintext values named by ``fields`` (which name every encrypted field),
    each under a data key of its own, with their blind-index entries; see ``incasso.crypto.bulk``."""
    return SubjectSealer(Debtor, fields)
