"""Writing the audit log (SPEC P-7). The only code that adds audit rows.

``audit_record`` refuses to run outside a transaction: the audit row is written in the same transaction as the
change it records, so either both are committed or neither is — a change without its audit row, or an audit row
for a change that was rolled back, cannot happen. Reads are recorded the same way, in the transaction that reads.

Appends are serialised on the chain head, so the chain never forks (``incasso.audit.append``: on PostgreSQL one
statement locks the head, links and inserts the entries and moves the head; on SQLite the database's write lock does
the serialising). A batch (``audit_record_bulk``) is one such append, whatever its size: the entries are checked once
each, encoded once (their canonical JSON is both what is hashed and what travels), and no model instance is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from incasso.audit.append import chain_append
from incasso.audit.chain import content_build, timestamp_text
from incasso.audit.errors import AuditOutsideTransaction
from incasso.audit.models import AuditAction
from incasso.domain.audit_chain import ChainEntry, JSONValue, SubjectRef, canonical_text, json_check
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
) -> ChainEntry:
    """Record one access to personal data: who, which subject, which fields, for what purpose, from where.

    Must be called inside the caller's transaction (``transaction.atomic``); raises ``AuditOutsideTransaction``
    otherwise, and ``ValueError`` for an unknown action or purpose or a malformed argument. Returns the link
    written (its sequence, content and hashes).
    """
    entry = AuditEntry(actor, action, subject, fields, purpose, source, details or {})
    return audit_record_bulk([entry])[0]


def audit_record_bulk(entries: Sequence[AuditEntry]) -> list[ChainEntry]:
    """Record many events in order, in one append (one statement on PostgreSQL); returns the links written."""
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransaction("audit_record must run inside the transaction of the change it records")
    if not entries:
        return []
    stamp = timestamp_text(timezone.now())
    # Every entry is checked before anything is written: a malformed one refuses the whole batch.
    contents = [_content(entry, stamp) for entry in entries]
    texts = [canonical_text(content, check=False) for content in contents]  # _content checked what could fail
    return chain_append(contents, texts)


def _content(entry: AuditEntry, stamp: str) -> dict[str, JSONValue]:
    """What the entry's row holds and its hash covers (``chain.row_content``), checked."""
    action = str(entry.action)
    if action not in _ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    purpose = str(entry.purpose)
    if purpose not in _PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}: purposes are those of the register (domain.data_map)")
    fields = entry.fields
    if isinstance(fields, str) or not all(isinstance(name, str) and name for name in fields):
        raise ValueError("fields is a list of field names")
    if not entry.source or len(entry.source) > SOURCE_LENGTH:
        raise ValueError(f"source must be 1 to {SOURCE_LENGTH} characters")
    # Floats and other values without a stable form are refused here, before any insert.
    details = dict(entry.details)
    json_check(details)
    if isinstance(entry.actor, str):
        actor_id, label = None, entry.actor
    else:
        actor_id, label = entry.actor.pk, entry.actor.get_username()
    if not label or len(label) > ACTOR_LABEL_LENGTH:
        raise ValueError(f"the actor's label must be 1 to {ACTOR_LABEL_LENGTH} characters")
    subject = _subject_ref(entry.subject)
    return content_build(
        occurred_at=stamp,
        actor_id=actor_id,
        actor_label=label,
        action=action,
        subject_type=subject.model if subject else "",
        subject_id=subject.pk if subject else "",
        fields=[str(name) for name in fields],
        purpose=purpose,
        source=str(entry.source),
        details=details,
    )


def _subject_ref(subject: Subject) -> SubjectRef | None:
    if subject is None or isinstance(subject, SubjectRef):
        return subject
    if subject.pk is None:
        raise ValueError("the subject must be saved before its access is recorded")
    return SubjectRef(subject._meta.label, str(subject.pk))
