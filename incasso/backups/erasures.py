"""Erasures a restore must not undo (docs/adr/0008).

A backup holds every data key that was live when it was taken. Restored as it is, it would make readable again
everyone erased since: the debtors the retention sweep or an erasure request anonymised, and every subject whose
key was shredded. So before the restore the live database is asked what was erased since the backup's time, and
afterwards the same services do it again: ``privacy``'s anonymiser (with the region the live record kept; it blanks
what else the debtor's rows hold in the clear) and ``crypto``'s key destruction, audited in the same transaction.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.db import DatabaseError, transaction
from django.db.models import F

from incasso.audit.models import AuditAction
from incasso.audit.services import AuditEntry, audit_record_bulk
from incasso.core.bulk_insert import AnyKey
from incasso.crypto.fields import KEY_ATTNAME
from incasso.crypto.models import DataKey
from incasso.crypto.selectors import SubjectValue
from incasso.crypto.services import data_keys_destroy
from incasso.domain.audit_chain import JSONValue, SubjectRef
from incasso.domain.data_map import ProcessingPurpose
from incasso.parties.models import Debtor
from incasso.privacy.models import AnonymisedSubject
from incasso.privacy.retention.anonymise import anonymise_debtors, audited_fields_named

# A key is stamped destroyed a moment before its transaction commits, and a dump sees only what was committed when
# it began: erasures stamped up to this long before the backup's time are re-applied too (doing so twice is a no-op).
OVERLAP = timedelta(days=1)
CHUNK = 1_000
ACTOR = "backup restore"
SOURCE = "backups"
PURPOSE = ProcessingPurpose.SECURITY


class LiveDatabaseUnreadable(Exception):
    """The live database cannot say what was erased (it is gone, empty or damaged)."""


@dataclass(frozen=True)
class AnonymisedSince:
    debtor_id: int
    # What the live record kept of the postcode (the key may have gone before the backup was taken).
    region: str


@dataclass(frozen=True)
class ErasuresSince:
    """What the live database erased from ``since`` on."""

    since: datetime
    destroyed_keys: list[uuid.UUID]
    anonymised: list[AnonymisedSince]


def erasures_since(*, since: datetime) -> ErasuresSince:
    """Read from the live database what was erased from ``since`` on; ``LiveDatabaseUnreadable`` if it cannot."""
    try:
        keys = list(DataKey.objects.filter(destroyed_at__gte=since).values_list("pk", flat=True))
        anonymised = [
            AnonymisedSince(debtor_id, region)
            for debtor_id, region in AnonymisedSubject.objects.filter(at__gte=since).values_list("debtor_id", "region")
        ]
    except DatabaseError as exc:
        raise LiveDatabaseUnreadable(str(exc)) from exc
    return ErasuresSince(since=since, destroyed_keys=keys, anonymised=anonymised)


@dataclass(frozen=True)
class Reapplied:
    anonymised: int
    keys_destroyed: int


def erasures_reapply(*, erasures: ErasuresSince, backup_created_at: datetime) -> Reapplied:
    """Erase again what the restored database still holds of the subjects erased since: those anonymised, then
    every key destroyed that is live again; ``CHUNK`` subjects per transaction, each with its audit entries (a sweep
    may have anonymised a million debtors the day before)."""
    details: dict[str, JSONValue] = {
        "reason": "erased before a backup was restored",
        "backup_created_at": backup_created_at.isoformat(),
    }
    counts = Reapplied(anonymised=0, keys_destroyed=0)
    for start in range(0, max(len(erasures.anonymised), len(erasures.destroyed_keys)), CHUNK):
        with transaction.atomic():
            anonymised = _anonymise_again(erasures.anonymised[start : start + CHUNK])
            keys = _keys_destroy_again(erasures.destroyed_keys[start : start + CHUNK])
            audit_record_bulk(
                [
                    AuditEntry(ACTOR, AuditAction.DELETE, subject, fields, PURPOSE, SOURCE, details)
                    for subject, fields in [*anonymised, *keys]
                ]
            )
        counts = Reapplied(counts.anonymised + len(anonymised), counts.keys_destroyed + len(keys))
    return counts


Erased = tuple[SubjectRef, list[str]]


def _anonymise_again(anonymised: list[AnonymisedSince]) -> list[Erased]:
    if not anonymised:
        return []
    wanted = {found.debtor_id: found for found in anonymised}
    already = set(
        AnonymisedSubject.objects.filter(AnyKey(F("debtor_id"), list(wanted))).values_list("debtor_id", flat=True)
    )
    restored = Debtor.objects.filter(AnyKey(F("pk"), [pk for pk in wanted if pk not in already]))
    # The region the live record kept: the key may already have gone before the backup was taken.
    regions = [SubjectValue(pk, key_id, wanted[pk].region) for pk, key_id in restored.values_list("pk", KEY_ATTNAME)]
    if not regions:
        return []
    ids = [found.pk for found in regions]
    anonymise_debtors(ids, regions=regions)
    return [(SubjectRef(Debtor._meta.label, str(pk)), audited_fields_named()) for pk in ids]


def _keys_destroy_again(key_ids: list[uuid.UUID]) -> list[Erased]:
    if not key_ids:
        return []
    live = list(
        DataKey.objects.filter(AnyKey(F("pk"), key_ids), destroyed_at__isnull=True).values_list("pk", "subject_type")
    )
    if not live:
        return []
    by_type: defaultdict[str, list[uuid.UUID]] = defaultdict(list)
    for key_id, subject_type in live:
        by_type[subject_type].append(key_id)
    erased: list[Erased] = []
    for subject_type, ids in by_type.items():
        model = apps.get_model(subject_type)
        subjects = model._default_manager.filter(AnyKey(F(KEY_ATTNAME), ids)).values_list("pk", flat=True)
        erased += [(SubjectRef(model._meta.label, str(pk)), ["crypto.DataKey (destroyed)"]) for pk in subjects]
    data_keys_destroy(key_ids=[key_id for key_id, _ in live])
    return erased
