"""The retention sweep (SPEC P-2): find what has expired under the policies, anonymise it, record counts.

Per purpose, set-based and in chunks: the debtors are walked in windows of ``chunk_size`` by primary key; per
window one query finds its end and one its expired ids (with their data keys and whether their region was derived;
the postcodes of those whose region never was are opened, ``anonymise.debtors_regions_read``) and the audit entries
are checked and encoded (``audit_batch_prepare_each``: one event per subject, its fields the audit log's named set
``retention.anonymise/3``); then, in the chunk's own transaction, a fixed number of set-based statements anonymises
them, keeps their regions and destroys their data keys (``anonymise.anonymise_debtors``: nothing is opened or
re-sealed, docs/adr/0009) and ``audit_record_prepared`` records one entry per subject, last. On PostgreSQL, outside a
transaction, the next chunk is read while others are written (``read_ahead``: Python encodes while the database
writes), and
chunks are written two at a time on two connections (``alternating``; the chain head's lock, taken last, keeps the
audit log one chain). A sweep stopped half-way keeps its finished chunks (with two at a time, the one after a
failed chunk may be among them) and is marked ``interrupted``; running it again picks up the rest (anonymised
subjects are skipped), so a second run on the same day changes nothing.

A dry run walks the same chunks with the same query and writes nothing but the sweep's record, so the dry run and
the sweep agree.
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from incasso.audit.models import AuditAction
from incasso.audit.services import AuditEntry, PreparedBatch, audit_batch_prepare_each, audit_record_prepared
from incasso.cases.models import Case, CaseHold, CaseParty
from incasso.consent.retention import marketing_sweep
from incasso.core.read_ahead import alternating, read_ahead
from incasso.crypto.fields import KEY_ATTNAME
from incasso.crypto.selectors import SubjectValue
from incasso.domain.audit_chain import SubjectRef
from incasso.domain.case_stages import Stage
from incasso.domain.data_map import ProcessingPurpose
from incasso.parties.models import Debtor
from incasso.privacy.models import AnonymisedSubject, LegalHold, RetentionPolicy, RetentionSweep, SweepStatus
from incasso.privacy.retention.aml import aml_sweep
from incasso.privacy.retention.anonymise import anonymise_debtors, audited_fields_named, debtors_regions_read
from incasso.privacy.retention.bookkeeping import bookkeeping_sweep
from incasso.privacy.retention.clients import client_relationship_sweep
from incasso.privacy.retention.holds import active_legal_holds
from incasso.privacy.retention.policies import latest_expired_trigger, policy_period

DEFAULT_CHUNK_SIZE = 5_000  # subjects per transaction: fewer round trips, still a short lock
AUDIT_ACTOR = "retention sweep"
AUDIT_SOURCE = "retention sweep"


class UnknownPurpose(ValueError):
    """A purpose with no active policy, or one the sweep cannot handle yet."""


@dataclass
class SweepResult:
    sweep: RetentionSweep
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


def expired_debtors(
    *, as_of: date, policy: RetentionPolicy, after: int = 0, through: int | None = None
) -> QuerySet[Debtor]:
    """Debtors all of whose cases closed long enough ago, with no legal hold in force, not yet anonymised.

    A debtor with a case still open or still within its period, as debtor or as another party of a case, keeps
    its data; so does one with a legal hold on itself or on any of its cases.

    Only the debtors with ``after < pk <= through`` (a window of the sweep). The bounds are repeated in every
    subquery: the database cannot carry a range across a join, and without it may read every case (all open ones,
    say) once per window, which makes the sweep quadratic.
    """

    def window(name: str) -> Q:
        bounds = Q(**{f"{name}__gt": after})
        return bounds if through is None else bounds & Q(**{f"{name}__lte": through})

    cutoff = latest_expired_trigger(policy_period(policy), as_of)
    privacy_hold, case_hold = active_legal_holds(as_of)
    not_expired = ~Q(stage=Stage.CLOSED.value) | Q(closed_on__gt=cutoff)
    case_not_expired = ~Q(case__stage=Stage.CLOSED.value) | Q(case__closed_on__gt=cutoff)
    own_cases = Case.objects.filter(window("debtor_id"), debtor_id=OuterRef("pk"))
    return (
        Debtor.objects.filter(window("pk"), Exists(own_cases))
        .exclude(Exists(own_cases.filter(not_expired)))
        .exclude(Exists(CaseParty.objects.filter(window("party_id"), case_not_expired, party_id=OuterRef("pk"))))
        .exclude(Exists(AnonymisedSubject.objects.filter(window("debtor_id"), debtor_id=OuterRef("pk"))))
        .exclude(Exists(LegalHold.objects.filter(privacy_hold, window("debtor_id"), debtor_id=OuterRef("pk"))))
        .exclude(
            Exists(LegalHold.objects.filter(privacy_hold, window("case__debtor_id"), case__debtor_id=OuterRef("pk")))
        )
        .exclude(Exists(CaseHold.objects.filter(case_hold, window("case__debtor_id"), case__debtor_id=OuterRef("pk"))))
    )


# What the sweep reads of each expired debtor: its id, its data key's and its region (None: never derived).
_Found = tuple[int, uuid.UUID | None, str | None]


def _chunks(expired: Callable[..., QuerySet[Debtor]], chunk_size: int) -> Iterator[list[_Found]]:
    """The expired debtors among each next ``chunk_size`` by primary key (keyset: anonymised or not, a debtor is
    never seen twice), two queries each: the window's end, along the primary key alone, then ``expired`` within it.
    """
    last = 0
    while True:
        ends = Debtor.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)
        end = ends[chunk_size - 1 : chunk_size].first()
        found = list(expired(after=last, through=end).order_by("pk").values_list("pk", KEY_ATTNAME, "postcode_region"))
        if found:
            yield found
        if end is None:
            return
        last = end


def _anonymise_chunk(ids: list[int], *, writes: _Writes, sweep: RetentionSweep) -> None:
    with transaction.atomic():
        anonymise_debtors(ids, sweep=sweep, regions=writes.regions, key_ids=writes.key_ids)
        audit_record_prepared(writes.audit)


@dataclass(frozen=True, slots=True)
class _Writes:
    """What a chunk's writes need, read and encoded before them (possibly while the chunk before is written)."""

    # The postcodes of the debtors whose region was never derived, opened before the keys go (usually none).
    regions: list[SubjectValue]
    key_ids: list[uuid.UUID]
    # One entry per subject, checked and encoded; recorded in the chunk's transaction.
    audit: PreparedBatch


@dataclass(frozen=True, slots=True)
class _Chunk:
    ids: list[int]
    writes: _Writes | None  # None on a dry run


def _chunks_read(
    expired: Callable[..., QuerySet[Debtor]], chunk_size: int, *, sweep: RetentionSweep, purpose: str
) -> Iterator[_Chunk]:
    # One event about each subject, checked and encoded once (``audit_batch_prepare_each``); its fields as the audit
    # log's named set, read back expanded.
    event = AuditEntry(
        actor=AUDIT_ACTOR,
        action=AuditAction.UPDATE,
        subject=None,  # each subject's own
        fields=audited_fields_named(),
        purpose=purpose,
        source=AUDIT_SOURCE,
        details={"sweep": sweep.pk, "action": "anonymise"},
    )
    for found in _chunks(expired, chunk_size):
        ids = [pk for pk, _key, _region in found]
        if sweep.dry_run:
            yield _Chunk(ids, None)
            continue
        audit = audit_batch_prepare_each(event, [SubjectRef("parties.Debtor", str(pk)) for pk in ids])
        underived = [pk for pk, _key, region in found if region is None]
        regions = debtors_regions_read(underived) if underived else []
        key_ids = [key for _pk, key, _region in found if key is not None]
        yield _Chunk(ids, _Writes(regions, key_ids, audit))


def _sweep_debt_collection(
    *, sweep: RetentionSweep, policy: RetentionPolicy, chunk_size: int, on_chunk: Callable[[int], None]
) -> None:
    candidates = functools.partial(expired_debtors, as_of=sweep.as_of, policy=policy)
    chunks = _chunks_read(candidates, chunk_size, sweep=sweep, purpose=policy.purpose)

    def write(chunk: _Chunk) -> int:
        if chunk.writes is not None:
            _anonymise_chunk(chunk.ids, writes=chunk.writes, sweep=sweep)
        return len(chunk.ids)

    # Reading the next chunk (its expired ids and data keys; for a sweep its audit entries, encoded) overlaps writing,
    # on a connection of its own; and the chunks are written two at a time, on two connections (``alternating``):
    # they touch different subjects, and each appends its audit entries last, so the two wait for each other only
    # while one links its entries onto the chain (the head's lock keeps the chain one chain). Not inside a
    # transaction, whose uncommitted rows another connection cannot see (tests): there the chunks are read and
    # written in turn, by the same code.
    threads = connection.vendor == "postgresql" and not connection.in_atomic_block
    with contextlib.ExitStack() as stack:
        written: Iterator[int] = (
            stack.enter_context(alternating(stack.enter_context(read_ahead(chunks)), write))
            if threads
            else map(write, chunks)
        )
        for count in written:
            on_chunk(count)


Sweeper = Callable[..., None]
# The purposes the sweep handles. The others: newsletter data is erased when the subscriber leaves; the agency
# holds no credit assessment of a client, and its credit data about debtors (decisions, financial situations, sealed
# under the debtor's key) goes with the debtor.
SWEEPERS: Mapping[str, Sweeper] = {
    ProcessingPurpose.DEBT_COLLECTION.value: _sweep_debt_collection,
    ProcessingPurpose.CLIENT_RELATIONSHIP.value: client_relationship_sweep,
    ProcessingPurpose.MARKETING.value: marketing_sweep,
    ProcessingPurpose.AML.value: aml_sweep,
    ProcessingPurpose.BOOKKEEPING.value: bookkeeping_sweep,
}


def retention_sweep(
    *,
    as_of: date,
    dry_run: bool = False,
    purposes: Iterable[str] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> SweepResult:
    """Sweep the given purposes (default: every active policy the sweep handles) as of ``as_of``.

    Returns the record and the counts, ``{purpose: {"removed" | "would_remove": n}}``. An exception (or Ctrl-C)
    marks the record ``interrupted`` and propagates; the chunks committed before it stay committed.
    """
    if chunk_size < 1:
        raise ValueError("the chunk size is at least 1")
    policies = _policies(purposes)
    key = "would_remove" if dry_run else "removed"
    sweep = RetentionSweep.objects.create(dry_run=dry_run, as_of=as_of, counts={p.purpose: {key: 0} for p in policies})
    result = SweepResult(sweep=sweep, counts=sweep.counts)
    try:
        for policy in policies:
            counts = result.counts[policy.purpose]

            def on_chunk(n: int, counts: dict[str, int] = counts) -> None:
                counts[key] += n
                RetentionSweep.objects.filter(pk=sweep.pk).update(counts=result.counts)

            SWEEPERS[policy.purpose](sweep=sweep, policy=policy, chunk_size=chunk_size, on_chunk=on_chunk)
    except BaseException:
        _finish(sweep, SweepStatus.INTERRUPTED, result.counts)
        raise
    _finish(sweep, SweepStatus.FINISHED, result.counts)
    return result


def _policies(purposes: Iterable[str] | None) -> list[RetentionPolicy]:
    active = {p.purpose: p for p in RetentionPolicy.objects.filter(active=True, purpose__in=list(SWEEPERS))}
    if purposes is None:
        return [active[name] for name in sorted(active)]
    chosen = []
    for name in purposes:
        if name not in SWEEPERS:
            raise UnknownPurpose(f"no retention sweep for purpose {name!r}; sweepable: {', '.join(sorted(SWEEPERS))}")
        if name not in active:
            raise UnknownPurpose(f"no active retention policy for purpose {name!r}")
        chosen.append(active[name])
    return chosen


def _finish(sweep: RetentionSweep, status: SweepStatus, counts: dict[str, dict[str, int]]) -> None:
    sweep.status, sweep.counts, sweep.finished_at = status, counts, timezone.now()
    sweep.save(update_fields=["status", "counts", "finished_at"])
