"""Reading the audit log: by data subject (the access export, P-4), by actor (monitoring, P-7), and page by page in
the back office for the auditor, the privacy officer and the administrator.

Looking at the log is a read of personal data about the subjects and the staff in it, so the back office's reads
(``audit_log_page``, ``audit_log_entry``, ``audit_log_rows``) are recorded in the log themselves, in the transaction
that reads, for the purpose the log serves (security); the search text a subject was found by is not recorded (it
is personal data in the clear), the subjects it found are.

The log can hold many millions of rows: a page is one indexed query by sequence (keyset: ``before``/``after`` a
sequence number, never OFFSET, never a count of the whole table).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet
from django.http import Http404

from incasso.accounts.access import PRIVACY_PAGE_ROLES, access_cases, access_has_role
from incasso.audit.models import AuditAction, AuditEvent, AuditVerification
from incasso.audit.services import AuditEntry, audit_record, audit_record_bulk
from incasso.domain.audit_chain import JSONValue, SubjectRef
from incasso.domain.data_map import ProcessingPurpose

# Who reads the log in the back office: the auditor (SPEC: "reads the audit log"), the privacy officer, the
# administrator - the roles of the other privacy pages.
AUDIT_LOG_ROLES = PRIVACY_PAGE_ROLES
PAGE_SIZE = 50
# At most this many cases found by one subject search (a name can be several debtors').
SUBJECT_CASES = 20
EXPORT_LIMIT = 50_000
EXPORT_CHUNK = 2_000
# What a page of the log shows of each entry, and what an entry's page adds.
LIST_FIELDS = tuple(
    f"audit.AuditEvent.{name}" for name in ("occurred_at", "actor_label", "action", "subject_id", "purpose", "source")
)
DETAIL_FIELDS = (*LIST_FIELDS, *(f"audit.AuditEvent.{name}" for name in ("fields", "details", "prev_hash", "hash")))
_LIST_DEFERRED = ("fields", "details", "prev_hash", "hash")
_EVENTS = AuditEvent._meta.db_table
# How much later than its stamp an entry may be chained (a transaction waiting for the chain head): a date range is
# narrowed to sequence numbers with this much margin (``_first_sequence_from``).
STAMP_SKEW = datetime.timedelta(hours=1)


def audit_events_for_subject(*, subject: models.Model | SubjectRef) -> QuerySet[AuditEvent]:
    """Every recorded access to one data subject, oldest first."""
    if isinstance(subject, models.Model):
        subject = SubjectRef(subject._meta.label, str(subject.pk))
    return AuditEvent.objects.filter(subject_type=subject.model, subject_id=subject.pk).order_by("sequence")


def audit_events_by_actor(*, actor: User | str) -> QuerySet[AuditEvent]:
    """Everything one user (or one named part of the system) did, oldest first."""
    if isinstance(actor, str):
        return AuditEvent.objects.filter(actor__isnull=True, actor_label=actor).order_by("sequence")
    return AuditEvent.objects.filter(actor_id=actor.pk).order_by("sequence")


@dataclass(frozen=True, slots=True)
class AuditLogFilter:
    """Which entries a reader of the log asks for; every part optional."""

    # None: any subject; empty: a search that found nobody (so no entry).
    subjects: tuple[SubjectRef, ...] | None = None
    actor: str = ""  # a user's log-in name, or the label of a part of the system ("daily run")
    action: str = ""
    purpose: str = ""
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None  # exclusive

    def recorded(self) -> dict[str, JSONValue]:
        """The filter as the read's audit entry records it (the subjects found, not the text they were found by)."""
        found: dict[str, JSONValue] = {
            "subjects": None if self.subjects is None else [str(subject) for subject in self.subjects],
            "actor": self.actor,
            "action": self.action,
            "purpose": self.purpose,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {key: value for key, value in found.items() if value not in ("", None)}


@dataclass(frozen=True, slots=True)
class AuditLogPage:
    """One page of the log, newest first, and the cursors of its neighbours (None: there is none)."""

    entries: list[AuditEvent]
    newer: int | None  # show the entries after this sequence
    older: int | None  # show the entries before this sequence


def audit_log_subjects(*, user: User, cases: Q) -> tuple[SubjectRef, ...]:
    """The debtors, and the cases, of the cases ``user`` may see (``access_cases``) that match ``cases`` (a case
    number, or a blind-index search: ``backoffice.case_search``), as the subjects to filter the log by."""
    rows = access_cases(user=user).filter(cases).order_by("pk").values_list("pk", "debtor_id")[:SUBJECT_CASES]
    found: dict[SubjectRef, None] = {}
    for case_id, debtor_id in rows:
        found[SubjectRef("parties.Debtor", str(debtor_id))] = None
        found[SubjectRef("cases.Case", str(case_id))] = None
    return tuple(found)


def audit_log_page(
    *,
    user: User | AnonymousUser,
    filters: AuditLogFilter,
    source: str,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> AuditLogPage:
    """A page of the entries ``filters`` selects, newest first: the newest, those before the sequence ``before``,
    or those after ``after``. ``PermissionDenied`` for a user outside ``AUDIT_LOG_ROLES``; the read is audited."""
    reader = _reader(user)
    events, actor_id = _filtered(filters)
    events = events.defer(*_LIST_DEFERRED)
    with transaction.atomic():
        if after is not None:
            rows = list(events.filter(sequence__gt=after).order_by("sequence")[: size + 1])
            newer = rows[size - 1].sequence if len(rows) > size else None
            entries = rows[:size][::-1]
            older = entries[-1].sequence if entries else None
        else:
            if before is not None:
                events = events.filter(sequence__lt=before)
            rows = list(events.order_by("-sequence")[: size + 1])
            entries = rows[:size]
            older = entries[-1].sequence if len(rows) > size else None
            newer = entries[0].sequence if before is not None and entries else None
        details: dict[str, JSONValue] = {
            "view": "audit log",
            "filters": filters.recorded(),
            "shown": len(entries),
            "newest": entries[0].sequence if entries else None,
            "oldest": entries[-1].sequence if entries else None,
        }
        _read_recorded(reader, filters, actor_id, LIST_FIELDS, source, details)
    return AuditLogPage(entries=entries, newer=newer, older=older)


def audit_log_rows(
    *, user: User | AnonymousUser, filters: AuditLogFilter, source: str, limit: int = EXPORT_LIMIT
) -> Iterator[AuditEvent]:
    """The entries ``filters`` selects, newest first, at most ``limit``, for an export: read in chunks by sequence
    (memory stays flat), the export recorded in the log before the first row is read."""
    reader = _reader(user)
    events, actor_id = _filtered(filters)
    with transaction.atomic():
        details: dict[str, JSONValue] = {"view": "audit log export", "filters": filters.recorded(), "limit": limit}
        _read_recorded(reader, filters, actor_id, DETAIL_FIELDS, source, details, action=AuditAction.EXPORT)
    return _chunks(events, limit)


def _chunks(events: QuerySet[AuditEvent], limit: int) -> Iterator[AuditEvent]:
    before: int | None = None
    left = limit
    while left > 0:
        page = events if before is None else events.filter(sequence__lt=before)
        rows = list(page.order_by("-sequence")[: min(EXPORT_CHUNK, left)])
        yield from rows
        if len(rows) < min(EXPORT_CHUNK, left):
            return
        left -= len(rows)
        before = rows[-1].sequence


def audit_log_entry(*, user: User | AnonymousUser, sequence: int, source: str) -> AuditEvent:
    """One entry, all of it: ``Http404`` when there is none, ``PermissionDenied`` outside ``AUDIT_LOG_ROLES``. The
    read is audited with the entry's subject as its subject."""
    reader = _reader(user)
    entry = AuditEvent.objects.filter(sequence=sequence).first()
    if entry is None:
        raise Http404("No such audit entry.")
    with transaction.atomic():
        audit_record(
            actor=reader,
            action=AuditAction.READ,
            subject=audit_entry_subject(entry),
            fields=list(DETAIL_FIELDS),
            purpose=ProcessingPurpose.SECURITY,
            source=source,
            details={"view": "audit log entry", "audit_event": entry.sequence},
        )
    return entry


def audit_entry_subject(entry: AuditEvent) -> SubjectRef | None:
    """The subject an entry names, as a reference (None: about nobody in particular)."""
    try:
        return SubjectRef(entry.subject_type, entry.subject_id)
    except ValueError:
        return None


def audit_verifications_recent(*, limit: int = 5) -> list[AuditVerification]:
    """The latest verifications of the chain started in the back office, newest first (the running one included)."""
    return list(AuditVerification.objects.select_related("started_by").order_by("-started_at", "-pk")[:limit])


def _reader(user: User | AnonymousUser) -> User:
    if not isinstance(user, User) or not access_has_role(user=user, roles=AUDIT_LOG_ROLES):
        raise PermissionDenied
    return user


def _filtered(filters: AuditLogFilter) -> tuple[QuerySet[AuditEvent], int | None]:
    """The entries ``filters`` selects (unordered), and the id of the user named as actor, if one is."""
    events = AuditEvent.objects.all()
    if filters.subjects is not None:
        if not filters.subjects:
            return events.none(), None
        about = Q(pk__in=[])
        for model in sorted({subject.model for subject in filters.subjects}):
            ids = sorted(subject.pk for subject in filters.subjects if subject.model == model)
            about |= Q(subject_type=model, subject_id__in=ids)
        events = events.filter(about)
    actor_id: int | None = None
    if filters.actor:
        actor_id = User.objects.filter(username=filters.actor).values_list("pk", flat=True).first()
        if actor_id is not None:
            events = events.filter(actor_id=actor_id)
        else:  # a part of the system: no user, found by its label
            events = events.filter(actor__isnull=True, actor_label=filters.actor)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.purpose:
        events = events.filter(purpose=filters.purpose)
    if filters.since is not None:
        events = events.filter(occurred_at__gte=filters.since, sequence__gte=_first_sequence_from(filters.since))
    if filters.until is not None:
        end = _first_sequence_from(filters.until + STAMP_SKEW, margin=datetime.timedelta(0))
        events = events.filter(occurred_at__lt=filters.until, sequence__lt=end)
    return events, actor_id


def _first_sequence_from(moment: datetime.datetime, *, margin: datetime.timedelta = STAMP_SKEW) -> int:
    """A sequence number before which every entry is older than ``moment``: a binary search over the sequence
    index for the first entry stamped from ``moment - margin`` on, in one statement, so a date range reads only
    its own part of a log of millions (there is no index on the time: each is one more write per appended row).

    An entry is stamped just before it is chained (``services.audit_record_prepared``), so the stamps follow the
    sequence except for transactions that waited for the chain's head: never by more than ``STAMP_SKEW``. With
    ``margin`` at least that, no entry stamped from ``moment`` on lies before the number found (the exact filter on
    the time stays beside it)."""
    probe = f"(SELECT occurred_at FROM {_EVENTS} WHERE sequence >= (lo + hi) / 2 ORDER BY sequence LIMIT 1)"  # noqa: S608 - a model's table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH RECURSIVE search(lo, hi) AS (
                    SELECT (SELECT COALESCE(MIN(sequence), 1) FROM {_EVENTS}),
                           (SELECT COALESCE(MAX(sequence), 0) + 1 FROM {_EVENTS})
                    UNION ALL
                    SELECT CASE WHEN {probe} < %s THEN (lo + hi) / 2 + 1 ELSE lo END,
                           CASE WHEN {probe} < %s THEN hi ELSE (lo + hi) / 2 END
                    FROM search WHERE lo < hi
                )
                SELECT MAX(lo) FROM search""",  # noqa: S608 - a model's table
            [connection.ops.adapt_datetimefield_value(moment - margin)] * 2,
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else 1


def _read_recorded(
    reader: User,
    filters: AuditLogFilter,
    actor_id: int | None,
    fields: Sequence[str],
    source: str,
    details: dict[str, JSONValue],
    *,
    action: AuditAction = AuditAction.READ,
) -> None:
    """One entry per subject the read was about (the subjects filtered by, the staff member whose actions were
    read), in one append; one entry about nobody in particular for a read of the whole log."""
    about: list[SubjectRef | None] = list(filters.subjects or ())
    if actor_id is not None:
        about.append(SubjectRef(User._meta.label, str(actor_id)))
    shared = list(fields)
    audit_record_bulk(
        [
            AuditEntry(reader, action, subject, shared, ProcessingPurpose.SECURITY, source, details)
            for subject in about or [None]
        ]
    )
