"""A debtor's values as stored: sealed under its data key, with its blind-index entries (P-3).

For writers that insert debtor rows without building model instances (the intake's COPY path): ``debtors_sealer``
seals many new debtors at once, each under a new data key, without the database (so a worker process can do it);
``Debtor.save`` and ``bulk_create`` do the same through the fields themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

from incasso.crypto.bulk import SubjectSealer
from incasso.crypto.fields import BlindIndexField, EncryptedTextField
from incasso.parties.models import Debtor

SEALED_FIELDS: tuple[str, ...] = tuple(
    field.name for field in Debtor._meta.concrete_fields if isinstance(field, EncryptedTextField)
)
INDEX_FIELDS: tuple[BlindIndexField, ...] = tuple(
    field for field in Debtor._meta.concrete_fields if isinstance(field, BlindIndexField)
)
INDEX_COLUMNS: tuple[str, ...] = tuple(field.attname for field in INDEX_FIELDS)


def debtors_sealer(fields: Sequence[str]) -> SubjectSealer:
    """Seals new debtors given as tuples of plaintext values named by ``fields`` (which name every encrypted field),
    each under a data key of its own, with their blind-index entries; see ``incasso.crypto.bulk``."""
    return SubjectSealer(Debtor, fields)
