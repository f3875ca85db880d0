"""Writes for cases and claims."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.db.models.sql import UpdateQuery
from django.utils import timezone
from django.utils.translation import gettext as _

from incasso.audit.models import AuditAction
from incasso.audit.services import AuditEntry, audit_record, audit_record_bulk
from incasso.cases.models import (
    Case,
    CaseHold,
    CaseNumberSequence,
    CaseParty,
    Claim,
    InterestKind,
    PartyRole,
    StaffTask,
    StageEvent,
    TaskKind,
    TaskStatus,
)
from incasso.cases.selectors import case_facts
from incasso.core.bulk_insert import AnyOf, rows_insert
from incasso.domain.audit_chain import SubjectRef
from incasso.domain.case_lifecycle import HoldKind, check_transition
from incasso.domain.case_stages import ClosedReason, Stage
from incasso.domain.data_map import ProcessingPurpose
from incasso.parties.models import Client, Debtor
from incasso.webhooks.models import WebhookEventType
from incasso.webhooks.services import CaseEvent, webhook_case_events_emit_bulk, webhook_event_emit

CASE_NUMBER_DIGITS = 6


def case_number_format(*, year: int, sequence: int) -> str:
    """Case numbers read "<year>-<sequence>", e.g. "2026-000123", numbered per year of opening."""
    return f"{year}-{sequence:0{CASE_NUMBER_DIGITS}d}"


def case_number_next(*, year: int) -> str:
    """The next case number of ``year``, handed out for good (a number is never given twice)."""
    return case_numbers_reserve(year=year, count=1)[0]


@transaction.atomic
def case_numbers_reserve(*, year: int, count: int) -> list[str]:
    """A block of consecutive case numbers for ``year``, held by a row lock until the caller's transaction ends.

    The first time a year is used its counter starts after the highest number already stored (compared as a
    number: past 999,999 a year "2026-1000000" sorts below "2026-999999" as text).
    """
    if count <= 0:
        return []
    sequence = CaseNumberSequence.objects.select_for_update().filter(year=year).first()
    if sequence is None:
        prefix = f"{year}-"
        numbers = Case.objects.filter(number__startswith=prefix).values_list("number", flat=True)
        highest = max((int(number.removeprefix(prefix)) for number in numbers.iterator(chunk_size=10_000)), default=0)
        sequence, _ = CaseNumberSequence.objects.select_for_update().get_or_create(
            year=year, defaults={"last": highest}
        )
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return [case_number_format(year=year, sequence=first + offset) for offset in range(count)]


@transaction.atomic
def case_create(
    *,
    client: Client,
    debtor: Debtor,
    opened_on: datetime.date,
    interest_kind: InterestKind,
    number: str | None = None,
    source: str = "manual",
    actor: User | None = None,
    actor_name: str | None = None,
) -> Case:
    """Open a case for ``client`` on one of that client's own debtors, in the first stage.

    The opening is the case's first stage event: who opened it (``actor``, or ``actor_name`` for a client's
    API key or a part of the system) and through which door (``source``).
    """
    if debtor.client_id != client.pk:
        # Never across clients (C-2): each client's debtor data stays in that client's processing.
        raise ValidationError(_("The debtor belongs to another client."), code="debtor_of_other_client")
    case = Case(
        client=client,
        debtor=debtor,
        number=number or case_number_next(year=opened_on.year),
        stage=Stage.REMINDER.value,
        opened_on=opened_on,
        interest_kind=interest_kind,
    )
    case.full_clean()
    case.save()
    opener = CaseOpener(
        actor_id=actor.pk if actor is not None else None,
        actor_name=_actor_label(actor, actor_name),
        source=source,
    )
    case_opened_events_insert(case_ids=[case.pk], opener=opener)
    return case


@dataclass(frozen=True)
class CaseOpener:
    """Who opened cases and through which door: the first event of every case's timeline says so (C-4)."""

    actor_id: int | None
    actor_name: str
    source: str

    @property
    def reason(self) -> str:
        return f"claim intake {self.source}"


# An opened case comes from no stage: the event's from_stage is empty.
OPENED_FROM = ""
_OPENED_EVENT_COLUMNS = ("case_id", "from_stage", "to_stage", "actor_id", "actor_name", "reason", "occurred_at")


def case_opened_events_insert(
    *,
    case_ids: Sequence[int],
    opener: CaseOpener,
    now: datetime.datetime | None = None,
    opened_at: Sequence[datetime.datetime] | None = None,
) -> None:
    """Record the "opened" stage event of new cases, all in one insert (the bulk intake opens thousands).

    The events happen ``now``, or each at its case's moment in ``opened_at`` (same order as ``case_ids``), as when
    the demo loads cases opened in the past.
    """
    if opened_at is not None and len(opened_at) != len(case_ids):
        raise ValueError("opened_at must give one moment per case")
    moments = opened_at if opened_at is not None else [now or timezone.now()] * len(case_ids)
    first = Stage.REMINDER.value
    rows = [
        (case_id, OPENED_FROM, first, opener.actor_id, opener.actor_name, opener.reason, occurred_at)
        for case_id, occurred_at in zip(case_ids, moments, strict=True)
    ]
    rows_insert(StageEvent, _OPENED_EVENT_COLUMNS, rows, returning=False)


@transaction.atomic
def claim_create(
    *,
    case: Case,
    invoice_number: str,
    invoice_date: datetime.date,
    due_date: datetime.date,
    principal_cents: int,
    currency: str = "EUR",
    description: str = "",
) -> Claim:
    claim = Claim(
        case=case,
        client_id=case.client_id,
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        due_date=due_date,
        principal_cents=principal_cents,
        currency=currency,
        description=description,
    )
    claim.full_clean()
    claim.save()
    return claim


SYSTEM = "system"
# What a stage move changes of a debtor's case file, as the data map names it.
STAGE_FIELDS = ("cases.Case.stage", "cases.Case.closed_reason", "cases.StageEvent.reason")


def _debtor(debtor_id: int) -> SubjectRef:
    return SubjectRef("parties.Debtor", str(debtor_id))


def _actor_label(actor: User | None, actor_name: str | None) -> str:
    if actor_name:
        return actor_name
    return actor.get_username() if actor is not None else SYSTEM


@transaction.atomic
def case_transition(
    *,
    case: Case,
    to: Stage,
    reason: str,
    today: datetime.date,
    actor: User | None = None,
    actor_name: str | None = None,
    closed_reason: ClosedReason | None = None,
) -> Case:
    """Move a case to another stage if the rules allow it, and record who moved it and why (C-4).

    Raises ``TransitionRefused`` (with a stable ``code``) when the stage machine or one of its guards says no.
    """
    locked = Case.objects.select_for_update().select_related("debtor").get(pk=case.pk)
    facts = case_facts(case=locked, today=today)
    check_transition(facts, to, closed_reason)
    from_stage = locked.stage
    locked.stage = to.value
    if to is Stage.CLOSED:
        locked.closed_reason = closed_reason.value if closed_reason else None
        locked.closed_on = today
        locked.next_measure_on = None
    locked.save(update_fields=["stage", "closed_reason", "closed_on", "next_measure_on"])
    StageEvent.objects.create(
        case=locked,
        from_stage=from_stage,
        to_stage=to.value,
        closed_reason=locked.closed_reason,
        actor=actor,
        actor_name=_actor_label(actor, actor_name),
        reason=reason,
    )
    audit_record(
        actor=actor if actor is not None else _actor_label(actor, actor_name),
        action=AuditAction.UPDATE,
        subject=_debtor(locked.debtor_id),
        fields=STAGE_FIELDS,
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=SYSTEM if actor is None else "staff",
        details={"case": locked.number, "from": from_stage, "to": to.value},
    )
    webhook_event_emit(
        client=locked.client_id,
        event=WebhookEventType.CASE_STAGE_CHANGED,
        payload={"case": locked.number, "from": from_stage, "to": to.value},
    )
    case.refresh_from_db()
    return case


@dataclass(frozen=True)
class StageMove:
    """One planned move for :func:`cases_transition_bulk`, already checked against the stage machine."""

    case_id: int
    from_stage: Stage
    to: Stage
    reason: str
    closed_reason: ClosedReason | None = None


_EVENT_COLUMNS = ("case_id", "from_stage", "to_stage", "closed_reason", "actor_name", "reason")


def cases_transition_bulk(*, moves: Sequence[StageMove], today: datetime.date, actor_name: str) -> int:
    """Apply many checked moves set-based: one UPDATE per (from, to, reason) group, one bulk insert of events.

    A case whose stage changed since the moves were planned is left alone (the UPDATE matches on the old stage),
    so a concurrent person's move wins and no event is written for the skipped case.
    """
    with transaction.atomic():
        groups: dict[tuple[Stage, Stage, ClosedReason | None], list[StageMove]] = {}
        for move in moves:
            groups.setdefault((move.from_stage, move.to, move.closed_reason), []).append(move)
        made: list[StageMove] = []
        debtors: dict[int, int] = {}
        for (from_stage, to, closed_reason), group in groups.items():
            changes: dict[str, object] = {"stage": to.value}
            if to is Stage.CLOSED:
                changes.update(closed_reason=closed_reason.value if closed_reason else None, closed_on=today)
                changes["next_measure_on"] = None
            debtor_of = _cases_update_returning_debtors([move.case_id for move in group], from_stage, changes)
            debtors.update(debtor_of)
            made.extend(move for move in group if move.case_id in debtor_of)
        _transitions_record(made, debtors, actor_name)
    return len(made)


def cases_transition_locked_bulk(
    *, moves: Sequence[StageMove], debtors: Mapping[int, int], actor_name: str, audit: list[AuditEntry]
) -> int:
    """Record many checked moves of cases whose rows the caller has locked and whose new stage it writes itself
    (the daily run, which writes each case once: stage and run stamp in one row version): the stage events and
    the clients' webhooks of :func:`cases_transition_bulk`, without its UPDATE, and its audit events added to
    ``audit``, which the caller records in this transaction (the daily run: one append for its whole chunk).

    The lock is what makes the planned ``from_stage`` the stage the case has. Closing moves are refused: closing
    writes more than the stage (reason, date), which :func:`cases_transition_bulk` does. ``debtors`` maps each
    moved case to its debtor (the audit's subject).
    """
    if any(move.to is Stage.CLOSED for move in moves):
        raise ValueError("closing moves go through cases_transition_bulk")
    with transaction.atomic():
        _transitions_record(moves, debtors, actor_name, audit)
    return len(moves)


def _transitions_record(
    moves: Sequence[StageMove], debtors: Mapping[int, int], actor_name: str, audit: list[AuditEntry] | None = None
) -> None:
    """The stage events, audit events and webhook events of moves already made, in one bulk write each; the audit
    events are added to ``audit`` instead, when given, for the caller to record."""
    events: list[tuple[object, ...]] = []
    audits: list[AuditEntry] = []
    announced: list[CaseEvent] = []  # the clients' webhooks (C-12)
    for move in moves:
        from_stage, to = move.from_stage.value, move.to.value
        audits.append(
            AuditEntry(
                actor_name,
                AuditAction.UPDATE,
                _debtor(debtors[move.case_id]),
                STAGE_FIELDS,
                ProcessingPurpose.DEBT_COLLECTION,
                SYSTEM,
                {"case_id": move.case_id, "from": from_stage, "to": to},
            )
        )
        reason_closed = move.closed_reason.value if move.closed_reason else None
        events.append((move.case_id, from_stage, to, reason_closed, actor_name, move.reason))
        announced.append(CaseEvent(move.case_id, WebhookEventType.CASE_STAGE_CHANGED, {"from": from_stage, "to": to}))
    rows_insert(StageEvent, _EVENT_COLUMNS, events, returning=False)
    if audit is None:
        audit_record_bulk(audits)
    else:
        audit.extend(audits)
    webhook_case_events_emit_bulk(events=announced)


def _cases_update_returning_debtors(ids: list[int], from_stage: Stage, changes: dict[str, object]) -> dict[int, int]:
    """Move the cases of ``ids`` still in ``from_stage`` (one UPDATE, which locks them and re-checks the stage
    after any wait) and answer the debtor of each case moved, from the same statement (RETURNING)."""
    query = cast(UpdateQuery, Case.objects.filter(AnyOf(F("pk"), ids), stage=from_stage.value).query.chain(UpdateQuery))
    query.add_update_values(changes)
    statement, params = query.get_compiler(connection=connection).as_sql()
    quote = connection.ops.quote_name
    returning = f"{quote(Case._meta.get_field('id').column)}, {quote(Case._meta.get_field('debtor').column)}"
    with connection.cursor() as cursor:
        cursor.execute(f"{statement} RETURNING {returning}", params)
        return {int(case_id): int(debtor_id) for case_id, debtor_id in cursor.fetchall()}


@transaction.atomic
def case_hold_place(
    *,
    case: Case,
    kind: HoldKind,
    reason: str,
    actor: User | None = None,
    until: datetime.date | None = None,
) -> CaseHold:
    """Pause the case (dispute, insolvency, debt restructuring, restriction, legal hold); placing it twice is one."""
    existing = CaseHold.objects.filter(case=case, kind=kind.value, lifted_at__isnull=True).first()
    if existing is not None:
        return existing
    hold = CaseHold.objects.create(
        case=case, kind=kind.value, reason=reason, placed_by=actor if actor and actor.pk else None, until=until
    )
    audit_record(
        actor=actor if actor is not None and actor.pk else SYSTEM,
        action=AuditAction.CREATE,
        subject=_debtor(case.debtor_id),
        fields=("cases.CaseHold.kind", "cases.CaseHold.reason"),
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=SYSTEM if actor is None else "staff",
        details={"case": case.number, "hold": kind.value},
    )
    return hold


@transaction.atomic
def case_hold_lift(*, hold: CaseHold, reason: str, actor: User | None = None) -> CaseHold:
    if hold.lifted_at is not None:
        raise ValidationError(_("This hold was already lifted."), code="already_lifted")
    hold.lifted_at = timezone.now()
    hold.lifted_by = actor if actor and actor.pk else None
    hold.lift_reason = reason
    hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    return hold


@transaction.atomic
def case_party_add(
    *, case: Case, party: Debtor, role: PartyRole, representative_kind: str = "", obligation: str = ""
) -> CaseParty:
    """Add a co-liable party, guarantor, representative or obliged party — always of the case's own client."""
    if party.client_id != case.client_id:
        raise ValidationError(_("The party belongs to another client."), code="party_of_other_client")
    link = CaseParty(
        case=case, party=party, role=role.value, representative_kind=representative_kind, obligation=obligation
    )
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def task_create(
    *,
    kind: TaskKind,
    title: str,
    due_on: datetime.date,
    case: Case | None = None,
    team: str = "",
    details: str = "",
    idempotency_key: str | None = None,
) -> StaffTask:
    """Queue work for a person. With an idempotency key, queuing the same work again returns the first task."""
    if idempotency_key is not None:
        existing = StaffTask.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    return StaffTask.objects.create(
        case=case,
        kind=kind.value,
        title=title,
        due_on=due_on,
        team=team,
        details=details,
        idempotency_key=idempotency_key,
    )


@transaction.atomic
def task_close(*, task: StaffTask, actor: User, outcome: str, status: TaskStatus = TaskStatus.DONE) -> StaffTask:
    if task.status != TaskStatus.OPEN:
        raise ValidationError(_("This task is already closed."), code="task_closed")
    task.status = status.value
    task.outcome = outcome
    task.closed_at = timezone.now()
    task.closed_by = actor
    task.save(update_fields=["status", "outcome", "closed_at", "closed_by"])
    return task
