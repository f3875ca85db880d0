"""Writing the audit log (SPEC P-7). The only code that adds audit rows.

``audit_record`` refuses to run outside a transaction: the audit row is written in the same transaction as the
change it records, so either both are committed or neither is — a change without its audit row, or an audit row
for a change that was rolled back, cannot happen. Reads are recorded the same way, in the transaction that reads.

Appends are serialised on the chain head, so the chain never forks (``incasso.audit.append``: on PostgreSQL one
statement locks the head, links and inserts the entries and moves the head; on SQLite the database's write lock does
the serialising). A batch (``audit_record_bulk``) is one such append, whatever its size: the entries are checked once
each, encoded once (their canonical JSON is both what is hashed and what travels), and no model instance is built.
A bulk job may check and encode a batch beforehand (``audit_batch_prepare``, no database) and record it in the
transaction of its change (``audit_record_prepared``), which stamps it with that moment as ``audit_record_bulk`` does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from incasso.audit.append import chain_append
from incasso.audit.chain import content_build, timestamp_text
from incasso.audit.errors import AuditOutsideTransaction
from incasso.audit.field_sets import references_check
from incasso.audit.models import AuditAction
from incasso.domain.audit_chain import ChainEntry, JSONValue, SubjectRef, json_check
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
# The canonical form of ``domain.audit_chain`` (sorted keys, compact, not ASCII-escaped), for the parts of a content.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


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
    _in_transaction()
    return audit_record_prepared(audit_batch_prepare(entries))


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """Entries checked and encoded (``audit_batch_prepare``), waiting for their moment and their place in the chain.

    Each entry is its content without the moment, and its canonical text in two parts around the moment's value.
    """

    entries: tuple[tuple[dict[str, JSONValue], str, str], ...]


def audit_batch_prepare(entries: Sequence[AuditEntry]) -> PreparedBatch:
    """Check and encode entries for ``audit_record_prepared``, with no database: a bulk job can prepare the next
    batch (in another thread) while the database writes the change this one records. Raises ``ValueError`` as
    ``audit_record`` does; a malformed entry refuses the whole batch."""
    encoder = _Encoder()
    return PreparedBatch(tuple(encoder.entry(entry) for entry in entries))


def audit_batch_prepare_each(entry: AuditEntry, subjects: Sequence[Subject]) -> PreparedBatch:
    """``audit_batch_prepare`` of the same event about each of ``subjects``, in order (``entry.subject`` is None): a
    bulk job's one entry per subject, with the event checked and encoded once rather than per subject."""
    if entry.subject is not None:
        raise ValueError("the entry's subjects are given apart")
    encoder = _Encoder()
    shared = encoder.shared(entry)
    return PreparedBatch(tuple(encoder.about(shared, _subject_ref(subject)) for subject in subjects))


def audit_record_prepared(batch: PreparedBatch) -> list[ChainEntry]:
    """Record a prepared batch as ``audit_record_bulk`` records its entries: at this moment, in order, inside the
    caller's transaction (``AuditOutsideTransaction`` otherwise); returns the links written."""
    _in_transaction()
    if not batch.entries:
        return []
    stamp = timestamp_text(timezone.now())
    stamp_json = _CANONICAL(stamp)
    contents = [{**content, "occurred_at": stamp} for content, _head, _tail in batch.entries]
    texts = [head + stamp_json + tail for _content, head, tail in batch.entries]
    return chain_append(contents, texts)


def _in_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransaction("audit_record must run inside the transaction of the change it records")


@dataclass(frozen=True, slots=True)
class _Shared:
    """An event's content without its subject, and its text before the moment and up to the subject's id."""

    content: dict[str, JSONValue]
    head: str
    tail: str


class _Encoder:
    """Checks and encodes the entries of one batch, each value the entries share once.

    A batch's entries mostly share their actor, fields, purpose, source and details (a sweep's thousands differ in
    their subject only): checking them and encoding them into canonical JSON once per batch rather than once per
    entry is most of the cost of a large append. The entries hold the shared objects while the batch is prepared,
    so their ``id`` names them. An entry's text is the canonical JSON of its content, assembled from the values'
    canonical JSON in the content's sorted key order (``canonical_text`` of the content gives the same bytes;
    tested).
    """

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.fields: dict[int, tuple[list[JSONValue], str]] = {}
        self.details: dict[int, tuple[dict[str, JSONValue], str]] = {}
        self.actors: dict[int, tuple[int | None, str]] = {}
        self.events: dict[tuple[int, str, int, str, str, int], _Shared] = {}

    def entry(self, entry: AuditEntry) -> tuple[dict[str, JSONValue], str, str]:
        return self.about(self.shared(entry), _subject_ref(entry.subject))

    def shared(self, entry: AuditEntry) -> _Shared:
        """What an entry shares with the batch's other entries of the same event: everything but its subject,
        checked and encoded once per distinct event (the entries hold the shared objects, so their ids name them)."""
        action, purpose, source = str(entry.action), str(entry.purpose), str(entry.source)
        key = (id(entry.actor), action, id(entry.fields), purpose, source, id(entry.details))
        known = self.events.get(key)
        if known is not None:
            return known
        if action not in _ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        if purpose not in _PURPOSES:
            raise ValueError(f"unknown purpose {purpose!r}: purposes are those of the register (domain.data_map)")
        fields, fields_json = self._fields(entry.fields)
        if not source or len(source) > SOURCE_LENGTH:
            raise ValueError(f"source must be 1 to {SOURCE_LENGTH} characters")
        details, details_json = self._details(entry.details)
        actor_id, label = self._actor(entry.actor)
        content = content_build(
            occurred_at="",  # the moment it is recorded
            actor_id=actor_id,
            actor_label=label,
            action=action,
            subject_type="",  # each entry's own
            subject_id="",
            fields=fields,
            purpose=purpose,
            source=source,
            details=details,
        )
        head = "".join(
            (
                '{"action":',
                self._text(action),
                ',"actor_id":',
                "null" if actor_id is None else _CANONICAL(actor_id),
                ',"actor_label":',
                self._text(label),
                ',"details":',
                details_json,
                ',"fields":',
                fields_json,
                ',"occurred_at":',
            )
        )
        tail = "".join((',"purpose":', self._text(purpose), ',"source":', self._text(source), ',"subject_id":'))
        known = self.events[key] = _Shared(content, head, tail)
        return known

    def about(self, shared: _Shared, subject: SubjectRef | None) -> tuple[dict[str, JSONValue], str, str]:
        """The entry of ``shared``'s event about ``subject``: its content and its text around the moment."""
        subject_type, subject_id = (subject.model, subject.pk) if subject else ("", "")
        content = {**shared.content, "subject_type": subject_type, "subject_id": subject_id}
        tail = "".join((shared.tail, _CANONICAL(subject_id), ',"subject_type":', self._text(subject_type), "}"))
        return content, shared.head, tail

    def _text(self, value: str) -> str:
        try:
            return self.texts[value]
        except KeyError:
            encoded = self.texts[value] = _CANONICAL(value)
            return encoded

    def _fields(self, fields: Sequence[str]) -> tuple[list[JSONValue], str]:
        known = self.fields.get(id(fields))
        if known is None:
            if isinstance(fields, str) or not all(isinstance(name, str) and name for name in fields):
                raise ValueError("fields is a list of field names")
            references_check(fields)  # a named set (``field_sets``) must be one that reads back
            names: list[JSONValue] = [str(name) for name in fields]
            known = self.fields[id(fields)] = (names, _CANONICAL(names))
        return known

    def _details(self, details: dict[str, JSONValue]) -> tuple[dict[str, JSONValue], str]:
        known = self.details.get(id(details))
        if known is None:
            # Floats and other values without a stable form are refused here, before any insert.
            copied = dict(details)
            json_check(copied)
            known = self.details[id(details)] = (copied, _CANONICAL(copied))
        return known

    def _actor(self, actor: Actor) -> tuple[int | None, str]:
        known = self.actors.get(id(actor))
        if known is None:
            actor_id, label = (None, actor) if isinstance(actor, str) else (actor.pk, actor.get_username())
            if not label or len(label) > ACTOR_LABEL_LENGTH:
                raise ValueError(f"the actor's label must be 1 to {ACTOR_LABEL_LENGTH} characters")
            known = self.actors[id(actor)] = (actor_id, label)
        return known


def _subject_ref(subject: Subject) -> SubjectRef | None:
    if subject is None or isinstance(subject, SubjectRef):
        return subject
    if subject.pk is None:
        raise ValueError("the subject must be saved before its access is recorded")
    return SubjectRef(subject._meta.label, str(subject.pk))
