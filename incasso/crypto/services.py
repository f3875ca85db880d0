"""Writes of the crypto app: issuing data keys, crypto-shredding, rotating and retiring master keys (P-3)."""

from __future__ import annotations

import operator
import uuid
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any, cast

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from incasso.audit.models import AuditAction
from incasso.audit.services import Actor, audit_record
from incasso.core.bulk_insert import AnyKey, keys_once, rows_insert
from incasso.crypto import keyring, primitives
from incasso.crypto.bulk import key_ids_stored
from incasso.crypto.fields import KEY_ATTNAME, BlindIndexField, EncryptedTextField
from incasso.crypto.models import DataKey, RetiredMasterKey
from incasso.domain.data_map import ProcessingPurpose

ROTATE_BATCH = 500


class KeyOperationRefused(Exception):
    """A key operation that cannot be done as asked (unknown version, version still in use, no data key)."""


def data_keys_issue(*, subject_type: str, count: int) -> list[tuple[uuid.UUID, AESGCM]]:
    """``count`` new data keys, inserted in one statement, with their ciphers, for writers that seal rows in bulk."""
    issued = [keyring.data_key_new(subject_type) for _ in range(count)]
    # Rows as tuples (COPY on PostgreSQL): intake issues a key per new debtor, thousands per chunk.
    rows_insert(
        DataKey,
        ("id", "subject_type", "wrapped_key", "master_version", "created_at", "destroyed_at"),
        [(key.pk, key.subject_type, key.wrapped_key, key.master_version, key.created_at, None) for key, _ in issued],
        returning=False,
    )
    return [(key.pk, AESGCM(plain)) for key, plain in issued]


def data_keys_store(*, subject_type: str, master_version: str, keys: Sequence[tuple[str, bytes]]) -> None:
    """Insert data keys made by a ``bulk.SubjectSealer`` (key id as text, wrapped key), in one statement."""
    now = timezone.now()
    stored = key_ids_stored(key_id for key_id, _wrapped in keys)
    rows_insert(
        DataKey,
        ("id", "subject_type", "wrapped_key", "master_version", "created_at", "destroyed_at"),
        [
            (key_id, subject_type, wrapped, master_version, now, None)
            for key_id, (_text, wrapped) in zip(stored, keys, strict=True)
        ],
        returning=False,
    )


def _subject_models() -> Iterator[tuple[type[models.Model], list[str], list[str]]]:
    """Every model with encrypted fields: its blind-index columns and encrypted field names."""
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        if any(field.attname == KEY_ATTNAME for field in fields):
            indexes = [field.attname for field in fields if isinstance(field, BlindIndexField)]
            sealed = [field.name for field in fields if isinstance(field, EncryptedTextField)]
            if sealed:
                yield model, indexes, sealed


def subject_key_shred(
    *,
    subject: models.Model,
    actor: Actor,
    reason: str,
    purpose: ProcessingPurpose = ProcessingPurpose.DEBT_COLLECTION,
    source: str = "crypto",
) -> DataKey:
    """Destroy the subject's data key: everything sealed under it (its fields, its special-category records) reads as
    "[erased]" from now on, everywhere, and its blind-index entries are removed. The key row stays as a tombstone.

    Backups still hold the key wrapped under the master version of the day; they become unreadable when that
    version is retired and destroyed (docs/adr/0005).
    """
    key_id = subject.__dict__.get(KEY_ATTNAME)
    if key_id is None:
        raise KeyOperationRefused(f"{subject._meta.label} {subject.pk} has no data key")
    if not reason.strip():
        raise ValueError("a reason is required")
    with transaction.atomic():
        key = DataKey.objects.select_for_update().get(pk=key_id)
        already = key.destroyed_at is not None
        data_keys_destroy(key_ids=[key_id])
        fields = next((sealed for model, _, sealed in _subject_models() if isinstance(subject, model)), [])
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            subject=subject,
            fields=fields,
            purpose=purpose,
            source=source,
            details={"reason": reason, "data_key": str(key_id), "crypto_shredded": True, "again": already},
        )
    key.refresh_from_db()
    for index in (field for field in subject._meta.concrete_fields if isinstance(field, BlindIndexField)):
        setattr(subject, index.attname, "")
    subject.__dict__.pop("_encrypted_plaintexts", None)
    return key


def data_keys_destroy(*, key_ids: Sequence[uuid.UUID], indexes_emptied: Collection[type[models.Model]] = ()) -> int:
    """Crypto-shred many data keys in a fixed number of statements, whatever their number: each live key becomes a
    tombstone (no wrapped key, the time it was destroyed) and every blind-index entry under them is emptied, so all
    that was sealed under them reads as "[erased]" everywhere. Returns how many keys were still live.

    Runs inside the caller's transaction, which records in the audit log what was shredded and why (the retention
    sweep: one entry per subject; ``subject_key_shred``: one entry with the reason). ``indexes_emptied``: models
    whose rows under these keys the caller has already emptied in this transaction (with its own update of them).
    """
    if not transaction.get_connection().in_atomic_block:
        raise KeyOperationRefused("data keys are destroyed inside the transaction that records it")
    if not key_ids:
        return 0
    ids = list(key_ids)
    keys = keys_once(DataKey, ids)  # one text for the statements below
    owners = _keys_tombstone(keys)
    destroyed = sum(owners.values())
    # Every key was live, so the statement named whose each one is: a model with blind indexes and keys of its own
    # is skipped when none of them is its (the sweep's keys are all debtors'). A key already destroyed, or unknown,
    # says nothing of its owner: then every model is looked at, as an entry may have outlived its key.
    known = set(owners) if destroyed == len(set(ids)) else None
    for model, indexes, _sealed in _subject_models():
        if not indexes or model in indexes_emptied:
            continue
        if known is not None and _keys_of_its_own(model) and model._meta.label_lower not in known:
            continue
        # Rows whose entries are already empty (a writer emptied them with its own update) are not written again.
        filled = reduce(operator.or_, (~Q(**{index: ""}) for index in indexes))
        model._default_manager.filter(AnyKey(F(KEY_ATTNAME), keys)).filter(filled).update(**dict.fromkeys(indexes, ""))
    # Forgotten now, so that what this transaction reads next is "[erased]", and again at commit: a thread of this
    # process that loaded a key meanwhile must not keep it for the cache's lifetime (other processes do, docs/adr/0005).
    _keys_forget(ids)
    transaction.on_commit(lambda: _keys_forget(ids))
    return destroyed


def _keys_forget(key_ids: list[uuid.UUID]) -> None:
    for key_id in key_ids:
        keyring.key_forget(key_id)


def _keys_tombstone(keys: Any) -> Counter[str]:
    """Destroy the live keys among ``keys`` (an ``AnyKey`` right-hand side) in one statement, which also answers how
    many of each subject type it destroyed (on PostgreSQL counted by the database, not row by row in Python)."""
    live = DataKey.objects.filter(AnyKey(F("pk"), keys), destroyed_at__isnull=True)
    query = cast(UpdateQuery, live.query.chain(UpdateQuery))
    query.add_update_values({"wrapped_key": None, "master_version": "", "destroyed_at": timezone.now()})
    statement, params = query.get_compiler(connection=connection).as_sql()
    column = connection.ops.quote_name(DataKey._meta.get_field("subject_type").column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH destroyed AS ({statement} RETURNING {column}) "  # noqa: S608 - Django's SQL, values bound
                f"SELECT {column}, COUNT(*) FROM destroyed GROUP BY {column}",
                params,
            )
            return Counter({subject_type: int(count) for subject_type, count in cursor.fetchall()})
        cursor.execute(f"{statement} RETURNING {column}", params)  # no UPDATE inside a WITH elsewhere
        return Counter(subject_type for (subject_type,) in cursor.fetchall())


def _keys_of_its_own(model: type[models.Model]) -> bool:
    """Whether each row of ``model`` holds a data key no other row shares (one-to-one): issued for that row, under
    the model's own subject type (``fields._key_issue``, the bulk writers and the sealing migrations all do so), unlike
    the rows sealed under their debtor's key (letters, circumstances, special categories)."""
    field = model._meta.get_field(KEY_ATTNAME)
    return bool(field.one_to_one)


@dataclass
class RotationCounts:
    rewrapped: int = 0
    already_current: int = 0
    destroyed: int = 0
    unreadable: int = 0


def data_keys_rotate(*, batch_size: int = ROTATE_BATCH) -> RotationCounts:
    """Rewrap every live data key under the current master key, ``batch_size`` keys per short transaction.

    Reads go on meanwhile: each key records the version it is wrapped under, and both versions are configured until
    the rotation is done. Re-running continues where a stopped run left off. A key whose master version is not
    configured is counted as unreadable and left as it is.
    """
    masters = keyring.master_keys()
    current = masters.current_version
    counts = RotationCounts(
        already_current=DataKey.objects.filter(master_version=current, destroyed_at__isnull=True).count(),
        destroyed=DataKey.objects.filter(destroyed_at__isnull=False).count(),
    )
    last: uuid.UUID | None = None
    while True:
        with transaction.atomic():
            pending = DataKey.objects.filter(destroyed_at__isnull=True).exclude(master_version=current).order_by("pk")
            if last is not None:
                pending = pending.filter(pk__gt=last)
            batch = list(pending.select_for_update()[:batch_size])
            if not batch:
                return counts
            rewrapped = []
            for key in batch:
                last = key.pk
                old = masters.key(key.master_version)
                if old is None or key.wrapped_key is None:
                    counts.unreadable += 1
                    continue
                try:
                    plain = primitives.key_unwrap(old, key.pk, bytes(key.wrapped_key))
                except primitives.DecryptionFailed:
                    counts.unreadable += 1
                    continue
                key.wrapped_key = primitives.key_wrap(masters.keys[current], key.pk, plain)
                key.master_version = current
                rewrapped.append(key)
            DataKey.objects.bulk_update(rewrapped, ["wrapped_key", "master_version"])
            counts.rewrapped += len(rewrapped)


def master_key_retire(*, version: str) -> RetiredMasterKey:
    """Record that ``version`` is out of use, refusing while any live data key is still wrapped under it."""
    masters = keyring.master_keys()
    if version == masters.current_version:
        raise KeyOperationRefused(f"{version} is the current master key; configure a new one first")
    with transaction.atomic():
        still = DataKey.objects.filter(master_version=version, destroyed_at__isnull=True).count()
        if still:
            raise KeyOperationRefused(
                f"{still} data keys are still wrapped under {version}: run `incasso keys rotate` first"
            )
        retired, _ = RetiredMasterKey.objects.get_or_create(version=version)
    keyring.keys_cache_clear()
    return retired
