"""The arithmetic of the hash-chained audit log (SPEC P-7): canonical form, entry hashes, chain verification.

Each entry's hash is SHA-256 over a canonical JSON of its sequence number, its content and the previous entry's
hash, so changing, inserting, removing or reordering any entry changes every hash after it. Verification walks the
entries in order and names the first one that does not fit; comparing the last entry with the separately kept
chain head also catches entries cut off the end.

Canonical JSON: keys sorted, no whitespace, UTF-8, no floats. Floats are refused because their text form does not
survive every database's JSON round trip (PostgreSQL ``jsonb`` may print ``1e2`` as ``100``), and a hash over a
value the database gives back differently would break a chain nobody touched. Money is integer cents anyway.

The hashed envelope ``{"content":…,"prev_hash":…,"sequence":…}`` is assembled from the content's canonical bytes
(``link_hash``) rather than encoded as a whole: its three keys are already in sorted order, so the bytes are the same
as the canonical JSON of the envelope, and the content is encoded once. PostgreSQL's ``audit_append`` function
(audit migration 0003) assembles the same bytes to chain entries inside the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

JSONValue: TypeAlias = bool | int | str | list["JSONValue"] | dict[str, "JSONValue"] | None

GENESIS_HASH = "0" * 64  # the "previous hash" of the first entry
HASH_LENGTH = 64


@dataclass(frozen=True, slots=True)
class SubjectRef:
    """The data subject an entry is about, as ``app_label.Model:pk`` (e.g. ``parties.Debtor:42``)."""

    model: str
    pk: str

    def __post_init__(self) -> None:
        if "." not in self.model or ":" in self.model or not self.pk:
            raise ValueError(f"not a subject reference: {self.model!r}:{self.pk!r}")

    def __str__(self) -> str:
        return f"{self.model}:{self.pk}"

    @classmethod
    def parse(cls, text: str) -> SubjectRef:
        model, sep, pk = text.partition(":")
        if not sep:
            raise ValueError(f"not a subject reference: {text!r}")
        return cls(model, pk)


# The one encoder of the canonical form (built once: ``json.dumps`` with options builds an encoder per call).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_SCALARS = frozenset({str, int, bool, type(None)})


def json_check(value: object) -> None:
    """Refuse a value without a stable canonical form: floats, non-string keys, tuples, other objects.

    A flat object of strings, whole numbers, booleans and nulls (most audit details) is checked in one pass.
    """
    if type(value) is dict and all(type(key) is str and type(item) in _SCALARS for key, item in value.items()):
        return
    _check_json(value, "$")


def _check_json(value: object, path: str) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: object keys must be strings, not {type(key).__name__}")
            _check_json(item, f"{path}.{key}")
        return
    raise TypeError(f"{path}: {type(value).__name__} has no stable canonical form (use int cents or str)")


def canonical_text(value: Mapping[str, JSONValue], *, check: bool = True) -> str:
    """The canonical JSON of an object as text: sorted keys, compact, not ASCII-escaped; floats refused.

    ``check=False`` is for a caller that already ran ``json_check`` over every part that could fail it.
    """
    if check:
        json_check(dict(value))
    return _CANONICAL(value)


def canonical_json(value: Mapping[str, JSONValue]) -> bytes:
    """The one byte form of a JSON object that is hashed: sorted keys, compact, UTF-8; floats refused."""
    return canonical_text(value).encode("utf-8")


def link_hash(*, sequence: int, content_json: bytes, prev_hash: str) -> str:
    """SHA-256 (hex) of the canonical JSON of ``{"content": …, "prev_hash": …, "sequence": …}``, given the content's
    canonical bytes (``canonical_json``)."""
    envelope = b"".join(
        (
            b'{"content":',
            content_json,
            b',"prev_hash":',
            _CANONICAL(prev_hash).encode("utf-8"),
            b',"sequence":',
            str(int(sequence)).encode("ascii"),
            b"}",
        )
    )
    return hashlib.sha256(envelope).hexdigest()


def entry_hash(*, sequence: int, content: Mapping[str, JSONValue], prev_hash: str) -> str:
    """SHA-256 (hex) of the entry's sequence, content and predecessor's hash."""
    return link_hash(sequence=sequence, content_json=canonical_json(content), prev_hash=prev_hash)


@dataclass(frozen=True, slots=True)
class ChainEntry:
    sequence: int
    content: Mapping[str, JSONValue]
    prev_hash: str
    hash: str


def chain_extend(
    contents: Sequence[Mapping[str, JSONValue]], *, last_sequence: int, last_hash: str
) -> list[ChainEntry]:
    """Link new contents onto a chain whose head is (``last_sequence``, ``last_hash``): one computation per batch."""
    entries: list[ChainEntry] = []
    sequence, prev_hash = last_sequence, last_hash
    for content in contents:
        sequence += 1
        digest = link_hash(sequence=sequence, content_json=canonical_json(content), prev_hash=prev_hash)
        entries.append(ChainEntry(sequence, content, prev_hash, digest))
        prev_hash = digest
    return entries


class BreakReason(StrEnum):
    HASH_MISMATCH = "hash mismatch"  # the entry's content (or sequence) is not what was hashed
    PREV_HASH_MISMATCH = "prev_hash mismatch"  # the entry does not follow the one before it
    GAP = "gap"  # a sequence number is missing (an entry was removed) or out of place
    MISSING_TAIL = "missing tail"  # the chain ends before the recorded head: entries were cut off the end


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first entry that does not fit, by sequence number, and why."""

    sequence: int
    reason: BreakReason
    detail: str = ""

    def __str__(self) -> str:
        return f"entry {self.sequence}: {self.reason}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True, slots=True)
class ChainReport:
    """What a walk over the chain found: how far it got, the last hash, and the first break if any."""

    entries: int
    last_sequence: int
    last_hash: str
    broken: ChainBreak | None

    @property
    def whole(self) -> bool:
        return self.broken is None


def verify_chain(
    entries: Iterable[ChainEntry],
    *,
    head: tuple[int, str] | None = None,
    start: tuple[int, str] = (0, GENESIS_HASH),
) -> ChainReport:
    """Walk ``entries`` (in sequence order) and stop at the first that does not fit.

    ``start`` is the (sequence, hash) the first entry follows: the genesis, or the last entry of a pruned and
    separately kept prefix. ``head`` is the recorded (sequence, hash) of the newest entry, when it is known.
    Checked per entry, in this order: its number follows on (gap), it names its predecessor's hash (prev_hash),
    and its hash is the hash of what it holds (hash).
    """
    last_sequence, last_hash = start
    count = 0
    for entry in entries:
        expected = last_sequence + 1
        broken: ChainBreak | None = None
        if entry.sequence != expected:
            broken = ChainBreak(entry.sequence, BreakReason.GAP, f"expected entry {expected}")
        elif entry.prev_hash != last_hash:
            broken = ChainBreak(entry.sequence, BreakReason.PREV_HASH_MISMATCH)
        elif entry_hash(sequence=entry.sequence, content=entry.content, prev_hash=entry.prev_hash) != entry.hash:
            broken = ChainBreak(entry.sequence, BreakReason.HASH_MISMATCH)
        if broken is not None:
            return ChainReport(count, last_sequence, last_hash, broken)
        count += 1
        last_sequence, last_hash = entry.sequence, entry.hash
    if head is not None and head != (last_sequence, last_hash):
        head_sequence = head[0]
        if head_sequence > last_sequence:
            tail = ChainBreak(last_sequence + 1, BreakReason.MISSING_TAIL, f"the head records entry {head_sequence}")
        else:
            tail = ChainBreak(last_sequence, BreakReason.HASH_MISMATCH, "the chain head records another hash")
        return ChainReport(count, last_sequence, last_hash, tail)
    return ChainReport(count, last_sequence, last_hash, None)
