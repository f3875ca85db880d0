"""Writing the audit log (SPEC P-7). The only code that adds audit rows.

``audit_record`` refuses to run outside a transaction: the audit row is written in the same transaction as the
change it records, so either both are committed or neither is — a change without its audit row, or an audit row
for a change that was rolled back, cannot happen. Reads are recorded the same way, in the transaction that reads.

Appends are serialised on the chain head (a one-row table locked with ``SELECT ... FOR UPDATE``; on SQLite the
database's write lock does the same), so the chain never forks. A batch (``audit_record_bulk``) is one lock, one
chain computation and one INSERT, whatever its size.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from incasso.audit.chain import COLUMNS, row_content
from incasso.audit.errors import AuditOutsideTransaction
from incasso.audit.models import AuditAction, AuditChainHead, AuditEvent
from incasso.core.bulk_insert import rows_insert
from incasso.domain.audit_chain import GENESIS_HASH, JSONValue, SubjectRef, chain_extend
from incasso.domain.data_map import ProcessingPurpose

# A person (a user), or the part of the system that acted ("daily run", "intake").
Actor = User | str
# The data subject: a model instance (its label and pk are taken), a reference, or None for events about nobody
# in particular (a failed log-in with an unknown name).
Subject = models.Model | SubjectRef | None

ACTOR_LABEL_LENGTH = 150
SOURCE_LENGTH = 200
_ACTIONS = frozenset(AuditAction.values)
_PURPOSES = frozenset(known.value for known in ProcessingPurpose)
# From this many rows a batch is written with COPY (one more round trip to reserve the keys, far less work per
# row than building an INSERT); smaller batches keep the single INSERT.
_COPY_FROM = 500
_INSERT_COLUMNS = COLUMNS  # every column of a row, in the order verification reads them


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One event to record, for ``audit_record_bulk``; the fields mean what ``audit_record``'s arguments mean."""

    actor: Actor
    action: AuditAction | str
    subject: Subject
    fields: Sequence[str]
    purpose: ProcessingPurpose | str
    source: str
    details: dict[str, JSONValue] = field(default_factory=dict)


def audit_record(
    *,
    actor: Actor,
    action: AuditAction | str,
    subject: Subject,
    fields: Sequence[str],
    purpose: ProcessingPurpose | str,
    source: str,
    details: dict[str, JSONValue] | None = None,
) -> AuditEvent:
    """Record one access to personal data: who, which subject, which fields, for what purpose, from where.

    Must be called inside the caller's transaction (``transaction.atomic``); raises ``AuditOutsideTransaction``
    otherwise, and ``ValueError`` for an unknown action or purpose or a malformed argument.
    """
    entry = AuditEntry(actor, action, subject, fields, purpose, source, details or {})
    return audit_record_bulk([entry])[0]


def audit_record_bulk(entries: Sequence[AuditEntry]) -> list[AuditEvent]:
    """Record many events in order: one chain-head lock, one chain computation, one bulk INSERT."""
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransaction("audit_record must run inside the transaction of the change it records")
    if not entries:
        return []
    occurred_at = timezone.now()
    rows = [_row(entry, occurred_at) for entry in entries]
    head = _locked_head()
    links = chain_extend(
        [row_content(_values(row)) for row in rows], last_sequence=head.last_sequence, last_hash=head.last_hash
    )
    for row, link in zip(rows, links, strict=True):
        row.sequence, row.prev_hash, row.hash = link.sequence, link.prev_hash, link.hash
    created = _rows_write(rows)
    head.last_sequence, head.last_hash = links[-1].sequence, links[-1].hash
    head.save(update_fields=["last_sequence", "last_hash"])
    return created


def _rows_write(rows: list[AuditEvent]) -> list[AuditEvent]:
    if len(rows) < _COPY_FROM:
        return AuditEvent.objects.bulk_create(rows)
    keys = rows_insert(
        AuditEvent, _INSERT_COLUMNS, [tuple(getattr(row, name) for name in _INSERT_COLUMNS) for row in rows]
    )
    for row, key in zip(rows, keys, strict=True):
        row.pk = key
        row._state.adding = False
    return rows


def _locked_head() -> AuditChainHead:
    """The chain head, locked for this transaction; made (from the newest row, if any) when it does not exist.

    The head is created lazily so that an emptied database (the test runner's flush) starts a fresh chain; where
    rows exist it continues from the newest one rather than forking from the genesis.
    """
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    newest = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    last_sequence, last_hash = newest if newest else (0, GENESIS_HASH)
    AuditChainHead.objects.get_or_create(pk=1, defaults={"last_sequence": last_sequence, "last_hash": last_hash})
    return AuditChainHead.objects.select_for_update().get(pk=1)


def _row(entry: AuditEntry, occurred_at: datetime.datetime) -> AuditEvent:
    action = str(entry.action)
    if action not in _ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    purpose = str(entry.purpose)
    if purpose not in _PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}: purposes are those of the register (domain.data_map)")
    if isinstance(entry.fields, str) or not all(isinstance(name, str) and name for name in entry.fields):
        raise ValueError("fields is a list of field names")
    if not entry.source or len(entry.source) > SOURCE_LENGTH:
        raise ValueError(f"source must be 1 to {SOURCE_LENGTH} characters")
    # Floats and other values without a stable form are refused by the chain computation, before any insert.
    details = dict(entry.details)
    if isinstance(entry.actor, str):
        actor, label = None, entry.actor
    else:
        actor, label = entry.actor, entry.actor.get_username()
    if not label or len(label) > ACTOR_LABEL_LENGTH:
        raise ValueError(f"the actor's label must be 1 to {ACTOR_LABEL_LENGTH} characters")
    subject = _subject_ref(entry.subject)
    return AuditEvent(
        occurred_at=occurred_at,
        actor=actor,
        actor_label=label,
        action=action,
        subject_type=subject.model if subject else "",
        subject_id=subject.pk if subject else "",
        fields=list(entry.fields),
        purpose=purpose,
        source=entry.source,
        details=details,
    )


def _subject_ref(subject: Subject) -> SubjectRef | None:
    if subject is None or isinstance(subject, SubjectRef):
        return subject
    if subject.pk is None:
        raise ValueError("the subject must be saved before its access is recorded")
    return SubjectRef(subject._meta.label, str(subject.pk))


def _values(row: AuditEvent) -> dict[str, object]:
    return {
        "occurred_at": row.occurred_at,
        "actor_id": row.actor_id,
        "actor_label": row.actor_label,
        "action": row.action,
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "fields": row.fields,
        "purpose": row.purpose,
        "source": row.source,
        "details": row.details,
    }
