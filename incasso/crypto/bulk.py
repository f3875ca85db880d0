"""Sealing many new subjects at once, without the database: for bulk writers (the intake's COPY path).

A ``SubjectSealer`` gives each new row of one model a data key of its own, wraps it under the current master key,
seals the row's encrypted fields under it and computes its blind-index entries: exactly what ``save()`` would store,
field by field (same format, same associated data), so the rows read back through the model's fields. It needs only
the settings' keys, never a query, so a forked worker process can do this CPU-bound part while its parent writes.

All the randomness of a batch (keys, key ids, nonces) comes from one ``os.urandom`` call: the same CSPRNG output as
one call per value, cut into pieces. The keys are not put in the keyring's cache: a bulk import issues far more than
the cache holds, and a reader loads them from the database in one query per batch as usual.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connection, models

from incasso.crypto import keyring, primitives
from incasso.crypto.fields import NORMALISERS, BlindIndexField, EncryptedModel, EncryptedTextField, Unavailable

# Random bytes per subject: its data key, its key id (a version 4 UUID) and the nonce that wraps the key.
_KEY_RANDOM = primitives.KEY_BYTES + 16 + primitives.NONCE_BYTES
# Subjects per ``os.urandom`` call: a few hundred kB at a time.
_RANDOM_BATCH = 1_000


class SealedSubject(NamedTuple):
    """One new subject's stored values: its key id (canonical text, as in the associated data), its wrapped key, the
    sealed fields (in ``SubjectSealer.sealed_fields`` order; an empty value stays as given) and its blind-index
    entries (in ``SubjectSealer.index_columns`` order)."""

    key_id: str
    wrapped_key: bytes
    sealed: tuple[Any, ...]
    indexes: tuple[str, ...]


@dataclass(frozen=True)
class _Index:
    index: primitives.BlindIndexer
    normalise: Callable[..., str]
    sources: tuple[int, ...]  # positions in the values given per row


class SubjectSealer:
    """Seals rows of ``model`` given as tuples of values named by ``fields`` (plaintext)."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        if issubclass(model, EncryptedModel) and model.encryption_row_key is not EncryptedModel.encryption_row_key:
            raise ValueError(f"{model._meta.label} binds its ciphertexts to more than its data key")
        position = {name: index for index, name in enumerate(fields)}
        concrete = model._meta.concrete_fields
        sealed = [field for field in concrete if isinstance(field, EncryptedTextField)]
        missing = [field.name for field in sealed if field.name not in position]
        if missing:
            raise ValueError(f"no value given for the encrypted fields {missing}")
        label = model._meta.label_lower
        self.subject_type = label
        self.sealed_fields: tuple[str, ...] = tuple(field.name for field in sealed)
        self._sealed = tuple(
            (position[field.name], f"{label}|{field.name}|".encode(), _encoder(field)) for field in sealed
        )
        indexes = [field for field in concrete if isinstance(field, BlindIndexField)]
        self.index_columns: tuple[str, ...] = tuple(field.attname for field in indexes)
        self._indexes = tuple(
            _Index(
                keyring.indexer(field.purpose),
                NORMALISERS[field.normaliser],
                tuple(position[source] for source in field.sources),
            )
            for field in indexes
        )
        masters = keyring.master_keys()
        self.master_version = masters.current_version
        self._master = AESGCM(masters.keys[masters.current_version])

    def seal(self, rows: Sequence[Sequence[Any]]) -> list[SealedSubject]:
        """Each row sealed under a new data key of its own."""
        per_row = _KEY_RANDOM + primitives.NONCE_BYTES * len(self._sealed)
        subjects: list[SealedSubject] = []
        for start in range(0, len(rows), _RANDOM_BATCH):
            batch = rows[start : start + _RANDOM_BATCH]
            random = os.urandom(per_row * len(batch))
            subjects.extend(self._seal_one(row, random, offset * per_row) for offset, row in enumerate(batch))
        return subjects

    def _seal_one(self, row: Sequence[Any], random: bytes, at: int) -> SealedSubject:
        nonce_bytes = primitives.NONCE_BYTES
        key_bytes = random[at : at + primitives.KEY_BYTES]
        at += primitives.KEY_BYTES
        key_id = primitives.uuid4_text(random[at : at + 16])
        at += 16
        wrapped = primitives.key_wrap_with(self._master, key_id, key_bytes, nonce=random[at : at + nonce_bytes])
        at += nonce_bytes
        cipher = AESGCM(key_bytes)
        row_key = key_id.encode()
        seal = primitives.seal
        sealed = []
        for index, ad_prefix, encode in self._sealed:
            value = row[index]
            if value is None or value == "":
                sealed.append(value)
            else:
                sealed.append(seal(cipher, encode(value), ad_prefix + row_key, random[at : at + nonce_bytes]))
            at += nonce_bytes
        return SealedSubject(key_id, wrapped, tuple(sealed), tuple(_index_entry(index, row) for index in self._indexes))


def _index_entry(index: _Index, row: Sequence[Any]) -> str:
    # As ``BlindIndexField.compute``: no entry when a source value is missing.
    if len(index.sources) == 1:
        value = row[index.sources[0]]
        if value is None or isinstance(value, Unavailable):
            return ""
        return index.index(index.normalise(str(value)))
    values = [row[position] for position in index.sources]
    if any(value is None or isinstance(value, Unavailable) for value in values):
        return ""
    return index.index(index.normalise(*(str(value) for value in values)))


def _encoder(field: EncryptedTextField) -> Callable[[Any], str]:
    """How the field turns a value into the text it seals; ``str`` itself for plain text (the same, called faster)."""
    return str if type(field).encode is EncryptedTextField.encode else field.encode


def key_ids_stored(key_ids: Iterable[str]) -> list[str]:
    """Key ids (canonical text) as the database takes them in a bulk insert: as they are where it has a UUID type, as
    the 32 hex digits Django stores elsewhere (SQLite)."""
    if connection.features.has_native_uuid_field:
        return list(key_ids)
    return [key_id.replace("-", "") for key_id in key_ids]
