"""Erasures a restore must not undo (docs/adr/0008).

A backup holds everyone as they were when it was taken. Restored as it is, it would bring back everyone erased
since. The live database is the record of what was erased: read inside the restore's transaction, after every
other writer is locked out (``databases.database_lock``) and before it is replaced, it is then applied again to the
restored database by the services that erase, audited in the same transaction. Every kind of erasure the system
makes is read here:

- data keys destroyed (``crypto``): an erasure request's shredding, the anonymiser's, and a client contact's (a
  rights request's erasure and the client-relationship sweep destroy the contact's key); the blind-index entries
  under them are emptied with them;
- debtors anonymised (``privacy.AnonymisedSubject``: the retention sweep and erasure requests), with the region
  the live record kept;
- bank statement entries whose payer data the bookkeeping sweep blanked;
- rows that erasure deletes: newsletter subscribers (unsubscribed or erased), consent records (the marketing sweep,
  a subscriber's erasure), special-category records (consent withdrawn), AML checks (their 5 years passed). Such a
  row that the backup holds and the live database no longer does was deleted since the backup, and goes again;
- the marketing suppression list (keyed hashes of addresses): an erasure or objection since the backup keeps its
  entry, so no marketing reaches that person again.

Doing an erasure twice is a no-op, so whatever the backup already had erased is left as it is.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import DatabaseError, connection, models
from django.db.models import F

from incasso.aml.models import AmlCheck
from incasso.audit.models import AuditAction, AuditChainHead, AuditEvent
from incasso.audit.services import AuditEntry, audit_record_bulk
from incasso.consent.models import ConsentRecord, Subscriber, Suppression
from incasso.core.bulk_insert import AnyKey
from incasso.crypto.fields import KEY_ATTNAME
from incasso.crypto.models import DataKey
from incasso.crypto.selectors import SubjectValue
from incasso.crypto.services import data_keys_destroy
from incasso.domain.audit_chain import JSONValue, SubjectRef
from incasso.domain.data_map import ProcessingPurpose
from incasso.parties.models import Debtor
from incasso.payments.models import StatementEntry
from incasso.privacy.models import AnonymisedSubject
from incasso.privacy.retention.anonymise import anonymise_debtors, audited_fields_named
from incasso.privacy.retention.bookkeeping import PAYER_FIELDS
from incasso.sensitive.models import SpecialCategoryRecord

# Keys and anonymisations are stamped a moment before their transaction commits: those stamped up to this long
# before the backup's time are read too (re-applying what the backup already has is a no-op).
OVERLAP = timedelta(days=1)
CHUNK = 1_000
ACTOR = "backup restore"
SOURCE = "backups"
PURPOSE = ProcessingPurpose.SECURITY

# The models whose rows erasure or retention deletes (and nothing else does): a row restored that the live
# database no longer has is deleted again.
DELETED_ON_ERASURE: tuple[type[models.Model], ...] = (Subscriber, ConsentRecord, SpecialCategoryRecord, AmlCheck)
_BLANK_ENTRY = dict.fromkeys(PAYER_FIELDS, "")
_ENTRY_FIELDS = [f"{StatementEntry._meta.label}.{name}" for name in PAYER_FIELDS]


class LiveDatabaseUnreadable(Exception):
    """The live database cannot say what was erased (it is gone, empty or damaged)."""


@dataclass(frozen=True)
class AnonymisedSince:
    debtor_id: int
    # What the live record kept of the postcode (the key may have gone before the backup was taken).
    region: str


@dataclass(frozen=True)
class ErasuresSince:
    """What the live database had erased when the restore locked it."""

    since: datetime
    destroyed_keys: list[uuid.UUID]
    anonymised: list[AnonymisedSince]
    entries_blanked: list[int] = field(default_factory=list)
    # Per model label of ``DELETED_ON_ERASURE``: every primary key the live database still has.
    rows_live: dict[str, set[Any]] = field(default_factory=dict)
    # (email_hash, reason, created_at) of the suppressions made from ``since`` on.
    suppressions: list[tuple[str, str, datetime]] = field(default_factory=list)


def erasures_since(*, since: datetime) -> ErasuresSince:
    """Read from the live database what was erased (keys, anonymisations, suppressions: from ``since`` on); inside
    the restore's transaction, after ``database_lock``. ``LiveDatabaseUnreadable`` if it cannot say."""
    _live_tables_check()
    try:
        keys = list(DataKey.objects.filter(destroyed_at__gte=since).values_list("pk", flat=True))
        anonymised = [
            AnonymisedSince(debtor_id, region)
            for debtor_id, region in AnonymisedSubject.objects.filter(at__gte=since).values_list("debtor_id", "region")
        ]
        entries = list(StatementEntry.objects.filter(**_BLANK_ENTRY).values_list("pk", flat=True))
        rows_live = {
            model._meta.label: set(model._default_manager.values_list("pk", flat=True)) for model in DELETED_ON_ERASURE
        }
        suppressions = list(
            Suppression.objects.filter(created_at__gte=since).values_list("email_hash", "reason", "created_at")
        )
    except DatabaseError as exc:
        raise LiveDatabaseUnreadable(str(exc)) from exc
    return ErasuresSince(
        since=since,
        destroyed_keys=keys,
        anonymised=anonymised,
        entries_blanked=entries,
        rows_live=rows_live,
        suppressions=suppressions,
    )


def _live_tables_check() -> None:
    # On SQLite the backup is attached beside the live database, and a name the live one lacks would be read from
    # the backup: every table read here must be the live database's own.
    read: tuple[type[models.Model], ...] = (
        DataKey,
        AnonymisedSubject,
        StatementEntry,
        Suppression,
        AuditEvent,
        AuditChainHead,
        *DELETED_ON_ERASURE,
    )
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
    missing = sorted({model._meta.db_table for model in read} - present)
    if missing:
        raise LiveDatabaseUnreadable(f"it has no table {', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''}")


@dataclass(frozen=True)
class Reapplied:
    anonymised: int = 0
    keys_destroyed: int = 0
    entries_blanked: int = 0
    rows_deleted: int = 0
    suppressions_kept: int = 0


Erased = tuple[SubjectRef, list[str]]


def _chunks(items: Sequence[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield list(items[start : start + CHUNK])


def erasures_reapply(*, erasures: ErasuresSince, backup_created_at: datetime) -> Reapplied:
    """Erase again, in the caller's transaction (the restore's), what the restored database still holds of what
    the live one had erased; one audit entry per subject, ``CHUNK`` subjects per statement."""
    details: dict[str, JSONValue] = {
        "reason": "erased before a backup was restored",
        "backup_created_at": backup_created_at.isoformat(),
    }

    def audited(erased: list[Erased], action: AuditAction = AuditAction.DELETE) -> int:
        audit_record_bulk(
            [AuditEntry(ACTOR, action, subject, names, PURPOSE, SOURCE, details) for subject, names in erased]
        )
        return len(erased)

    anonymised = sum(audited(_anonymise_again(chunk)) for chunk in _chunks(erasures.anonymised))
    keys = sum(audited(_keys_destroy_again(chunk)) for chunk in _chunks(erasures.destroyed_keys))
    entries = sum(
        audited(_entries_blank_again(chunk), AuditAction.UPDATE) for chunk in _chunks(erasures.entries_blanked)
    )
    rows = sum(audited(erased) for erased in _rows_delete_again(erasures.rows_live))
    suppressions = audited(_suppressions_keep(erasures.suppressions), AuditAction.CREATE)
    return Reapplied(anonymised, keys, entries, rows, suppressions)


def _anonymise_again(anonymised: list[AnonymisedSince]) -> list[Erased]:
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
    # Every blind-index entry under these keys is emptied with them.
    data_keys_destroy(key_ids=[key_id for key_id, _ in live])
    return erased


def _entries_blank_again(entry_ids: list[int]) -> list[Erased]:
    restored = StatementEntry.objects.filter(AnyKey(F("pk"), entry_ids)).exclude(**_BLANK_ENTRY)
    ids = list(restored.values_list("pk", flat=True))
    StatementEntry.objects.filter(AnyKey(F("pk"), ids)).update(**_BLANK_ENTRY)
    return [(SubjectRef(StatementEntry._meta.label, str(pk)), _ENTRY_FIELDS) for pk in ids]


def _rows_delete_again(rows_live: dict[str, set[Any]]) -> Iterator[list[Erased]]:
    """Per chunk, the rows of ``DELETED_ON_ERASURE`` the backup holds that the live database had deleted."""
    for model in DELETED_ON_ERASURE:
        label = model._meta.label
        if label not in rows_live:
            continue
        live = rows_live[label]
        restored = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
        gone = [pk for pk in restored if pk not in live]
        for chunk in _chunks(gone):
            model._default_manager.filter(pk__in=chunk).delete()
            yield [(SubjectRef(label, str(pk)), [f"{label} (deleted)"]) for pk in chunk]


def _suppressions_keep(suppressions: list[tuple[str, str, datetime]]) -> list[Erased]:
    if not suppressions:
        return []
    have = set(
        Suppression.objects.filter(email_hash__in=[found[0] for found in suppressions]).values_list(
            "email_hash", flat=True
        )
    )
    missing = [Suppression(email_hash=h, reason=r, created_at=at) for h, r, at in suppressions if h not in have]
    Suppression.objects.bulk_create(missing, ignore_conflicts=True)
    added = Suppression.objects.filter(email_hash__in=[found.email_hash for found in missing]).values_list(
        "pk", flat=True
    )
    return [(SubjectRef(Suppression._meta.label, str(pk)), ["email_hash", "reason"]) for pk in added]
