"""The daily run: bring every open case that is due up to date, set-based and in chunks (C-6, C-8, C-14).

For each chunk of cases: refresh the limitation dates, compute the quote, read the payment history, promises and
the debtor's circumstances (``history``), let the strategy decide the next measure (storing inputs, version and
explanation), plan what follows from each decision (``planning``: the move checked against the stage machine, the
measure, tasks and letter), and write the moves, measures, tasks and queued letters in bulk. Which cases are due is
``due.cases_due``. A case handled on a day is stamped with that day (and the time), so running the same day again
finds nothing left to do. Chunks run in-process, or as Celery tasks on workers when a broker is configured (see
``incasso.collection.tasks``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import F, Max, Value
from django.utils import timezone
from django.utils.translation import get_language, gettext

from incasso.arrangements.models import PromiseStatus
from incasso.arrangements.services import arrangements_check
from incasso.audit.services import AuditEntry, audit_record_bulk
from incasso.cases.models import (
    Case,
    Claim,
    Measure,
    MeasureKind,
    MeasureStatus,
    StaffTask,
    StageEvent,
    TaskKind,
    TaskStatus,
)
from incasso.cases.selectors import QUOTE_CLAIM_ORDER, case_active_holds, case_quote_requests_from
from incasso.cases.services import cases_transition_locked_bulk
from incasso.circumstances.selectors import NO_FACTS
from incasso.collection.due import cases_due, changes_read_from
from incasso.collection.history import CaseHistory, cases_history
from incasso.collection.limitation import (
    ClaimLimitation,
    cases_near_limitation,
    claim_limitation_date,
    claims_limitation_compute,
)
from incasso.collection.planning import (
    NO_HOLDS,
    Plan,
    RunCase,
    approval_may_be_asked,
    business_costs_due,
    plan_decision,
    plan_without_decision,
    run_case_facts,
)
from incasso.communications.services import letters_queue_bulk
from incasso.core.bulk_insert import AnyOf, rows_insert
from incasso.core.bulk_update import rows_update, values_update
from incasso.core.collector import cyclic_gc_paused
from incasso.decisions.selectors import ProfilingBlock, case_profiling_blocks
from incasso.decisions.services import decisions_take_locked_bulk
from incasso.domain.case_lifecycle import CaseFacts, fourteen_day_term_has_passed
from incasso.domain.case_stages import Stage
from incasso.domain.instructions import LEGAL_STEPS, ClientInstructions
from incasso.domain.money import Money
from incasso.domain.quote import QuoteRequest, quote_calculate
from incasso.domain.strategy import StrategyInputs
from incasso.integrations.services import integrations_daily
from incasso.legal.services import interest_rate_tables
from incasso.parties.models import DebtorKind
from incasso.parties.selectors import client_instructions_by_client

ACTOR = "daily run"
# Bigger chunks spread the fixed cost of a chunk (about 25 round trips) thinner; 5,000 locked cases stay a short
# transaction (about a second) and still give workers enough chunks to share.
CHUNK_SIZE = 5_000


@dataclass
class RunSummary:
    cases: int = 0
    decided: int = 0
    moved: int = 0
    measures: int = 0
    letters: int = 0
    tasks: int = 0
    restricted: int = 0
    not_profiled: int = 0
    chunks: int = 0
    plans_broken: int = 0

    def add(self, other: RunSummary) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


def due_case_chunks(*, on: date, chunk_size: int = CHUNK_SIZE) -> Iterator[list[int]]:
    """The ids of the due cases in chunks, by keyset pagination (no OFFSET, no list of a million ids)."""
    last = 0
    while True:
        ids = list(
            Case.objects.filter(cases_due(on=on), pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk_size]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def daily_run(
    *,
    on: date,
    chunk_size: int = CHUNK_SIZE,
    run_chunks: Callable[[Iterator[list[int]], date], RunSummary] | None = None,
) -> RunSummary:
    """Handle every due case for ``on``; ``run_chunks`` distributes the chunks (default: in this process).

    Payment plans come first: instalments are settled from the ledger and plans broken after their grace period
    go back to amicable collection, so the decisions that follow see today's stage of every case.
    """
    plans = arrangements_check(on=on)
    runner = run_chunks or _run_chunks_here
    summary = runner(due_case_chunks(on=on, chunk_size=chunk_size), on)
    summary.plans_broken = plans.broken
    integrations_daily(on=on)  # queue today's insolvency-register checks of open cases (C-13)
    return summary


def _run_chunks_here(chunks: Iterator[list[int]], on: date) -> RunSummary:
    summary = RunSummary()
    for ids in chunks:
        summary.add(daily_run_chunk(case_ids=ids, on=on))
    return summary


_CASE_COLUMNS = (
    "pk",
    "number",
    "stage",
    "client_id",
    "debtor_id",
    "debtor__kind",
    "opened_on",
    "costs_due_from",
    "legal_steps_approved_at",
    "next_measure_on",
    "interest_kind",
    "client__vat_deductible",
)
# Read once for both the limitation dates (the first six) and the quote (QUOTE_CLAIM_COLUMNS).
_CLAIM_COLUMNS = (
    "pk",
    "case_id",
    "due_date",
    "limitation_kind",
    "limitation_interrupted_on",
    "limitation_date",
    "invoice_number",
    "principal_cents",
)
# What the run writes back to every case of the chunk, in one statement: the stage a move took it to, too. (The
# 14-day letter's posting date is not the run's: it is recorded when the letter is posted.)
_RUN_FIELDS = (
    "stage",
    "last_run_on",
    "last_run_at",
    "next_measure_on",
    "costs_due_from",
)
MEASURE_COLUMNS = ("case_id", "kind", "status", "planned_for", "idempotency_key")
TASK_COLUMNS = ("case_id", "kind", "title", "due_on", "idempotency_key")


def _cases_lock(case_ids: Sequence[int], on: date) -> list[RunCase]:
    """The due cases of the chunk, locked for this transaction (a concurrent run of the same day waits here and
    then finds them stamped), read as plain values."""
    rows = (
        Case.objects.select_for_update(of=("self",))
        .filter(cases_due(on=on), AnyOf(F("pk"), list(case_ids)))
        .values_list(*_CASE_COLUMNS)
    )
    return [
        RunCase(
            pk,
            number,
            Stage(stage),
            client_id,
            debtor_id,
            kind == DebtorKind.CONSUMER,
            opened,
            costs,
            approved is not None,
            nxt,
            interest_kind,
            vat_deductible,
        )
        for (
            pk,
            number,
            stage,
            client_id,
            debtor_id,
            kind,
            opened,
            costs,
            approved,
            nxt,
            interest_kind,
            vat_deductible,
        ) in rows
    ]


def daily_run_chunk(*, case_ids: Sequence[int], on: date) -> RunSummary:
    """Handle one chunk of cases in one transaction; a case already handled on ``on`` is left alone."""
    with cyclic_gc_paused(), transaction.atomic():
        _jit_off()
        return _chunk_run(case_ids, on)


def _jit_off() -> None:
    """No just-in-time compilation of the chunk's statements on PostgreSQL: over a large table their estimates
    pass ``jit_above_cost``, and compiling one costs about 0.1 s of CPU, more than running it (each reads or
    writes a chunk's rows by key). For the rest of the chunk's transaction only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def _chunk_run(case_ids: Sequence[int], on: date) -> RunSummary:
    # Taken before anything is read: a change stamped from then on may not be in what the chunk reads, so the
    # next day's run looks at its case again (``due.changed_since_last_run``).
    started = changes_read_from()
    cases = _cases_lock(case_ids, on)
    summary = RunSummary(cases=len(cases), chunks=1)
    if not cases:
        return summary
    ids = [case.pk for case in cases]
    holds = case_active_holds(case_ids=ids)
    instructions = client_instructions_by_client(client_ids={case.client_id for case in cases}, on=on)
    claim_rows, quote_claims = _claims_read(ids)
    limitations = claims_limitation_compute(rows=claim_rows)
    near_limitation = cases_near_limitation(limitations=limitations, on=on)
    earliest_due: dict[int, date] = {}
    claims_of: dict[int, list[int]] = {}
    for claim_id, case_id, due_date, *_ in claim_rows:
        earliest_due[case_id] = min(due_date, earliest_due.get(case_id, due_date))
        claims_of.setdefault(case_id, []).append(claim_id)

    blocks = case_profiling_blocks(case_ids=ids, on=on)
    # Restriction of processing (GDPR art. 18, on any case of the debtor): storage only — nothing else happens.
    workable = [case for case in cases if blocks.get(case.pk) is not ProfilingBlock.RESTRICTED]
    summary.restricted = len(cases) - len(workable)
    business_costs_due(workable, earliest_due)
    facts = {
        case.pk: run_case_facts(case, on, instructions[case.client_id], holds.get(case.pk, NO_HOLDS))
        for case in workable
    }
    requests = case_quote_requests_from(cases=[case.quote_row() for case in workable], claims=quote_claims, as_of=on)
    history = cases_history(case_debtors=[(case.pk, case.debtor_id) for case in workable], on=on)
    inputs = _strategy_inputs(workable, on, facts, instructions, near_limitation, earliest_due, requests, history)
    debtors = {case.pk: case.debtor_id for case in workable}
    # What the chunk does to personal data, recorded in one append at its end (``_audit_record``).
    audit: list[AuditEntry] = []
    # The chunk's cases are locked (``_cases_lock``), which lets the decisions go in by the cheapest insert.
    decisions = decisions_take_locked_bulk(inputs=inputs, on=on, blocks=blocks, debtors=debtors, audit=audit)
    summary.decided = len(decisions)
    awaiting, asked = _approval_pending(workable, instructions)
    plan = Plan(awaiting_approval=awaiting, approval_asked=asked)
    in_dutch = (get_language() or "").startswith("nl")  # task titles and stage reasons are stored as text
    for case in workable:
        decision = decisions.get(case.pk)
        if decision is None:
            summary.not_profiled += 1
            plan_without_decision(plan, case, blocks.get(case.pk), on)
            continue
        plan_decision(
            plan,
            case,
            decision.outcome,
            decision.explanation_nl if in_dutch else decision.explanation_en,
            on,
            facts[case.pk],
            instructions[case.client_id],
            claims_of,
        )
    for case_id in near_limitation:
        plan.task(case_id, TaskKind.LIMITATION, gettext("Claim near limitation: interrupt or act"), on)

    # The stage itself is written with the day's stamp (``_cases_save``): one new version of each case row.
    summary.moved = cases_transition_locked_bulk(moves=plan.moves, debtors=debtors, actor_name=ACTOR, audit=audit)
    # A measure's key is the case and the day, and the case is locked and not yet stamped with the day, so no run
    # can have stored it: the cheapest insert will do (a key met anyway refuses it and rolls the chunk back, so
    # the retry finds the case stamped). The few tasks keep the insert that skips a key met again.
    rows_insert(Measure, MEASURE_COLUMNS, plan.measures, returning=False)
    summary.measures = len(plan.measures)
    rows_insert(StaffTask, TASK_COLUMNS, list(plan.tasks.values()), returning=False, ignore_conflicts=True)
    summary.tasks = len(plan.tasks)
    _approved_steps_taken(plan.to_legal, on)
    summary.letters = letters_queue_bulk(requests=plan.letters, on=on)
    _claims_limitation_save(claim_rows, limitations, set(plan.interrupted_claims), on)
    _cases_save(cases, on, started)
    _audit_record(audit)
    return summary


def _approval_pending(
    cases: list[RunCase], instructions: dict[int, ClientInstructions]
) -> tuple[frozenset[int], frozenset[int]]:
    """The chunk's cases already waiting for the client's answer on legal steps: those with a step awaiting the
    approval, those with an open task asking for it (``Plan``). One query for the chunk, and none for a chunk
    without a case that could be asked."""
    asking = [case.pk for case in cases if approval_may_be_asked(case, instructions[case.client_id])]
    if not asking:
        return frozenset(), frozenset()
    measures = Measure.objects.filter(
        AnyOf(F("case_id"), asking), status=MeasureStatus.AWAITING_APPROVAL.value
    ).annotate(is_task=Value(False))
    tasks = StaffTask.objects.filter(
        AnyOf(F("case_id"), asking), kind=TaskKind.APPROVAL.value, status=TaskStatus.OPEN.value
    ).annotate(is_task=Value(True))
    rows = list(measures.values_list("case_id", "is_task").union(tasks.values_list("case_id", "is_task")))
    return (
        frozenset(case_id for case_id, is_task in rows if not is_task),
        frozenset(case_id for case_id, is_task in rows if is_task),
    )


def _approved_steps_taken(case_ids: list[int], on: date) -> None:
    """The legal step a client approved (client portal: awaiting approval, then planned) is taken by the run that
    moves its case to legal proceedings, with today's notice: it is done, not left planned beside it."""
    if case_ids:
        Measure.objects.filter(
            AnyOf(F("case_id"), case_ids),
            kind=MeasureKind.LEGAL_NOTICE.value,
            status=MeasureStatus.PLANNED.value,
            planned_for__lt=on,
        ).update(status=MeasureStatus.DONE.value, done_at=timezone.now())


def _audit_record(audit: list[AuditEntry]) -> None:
    """Record the chunk's audit events, last, in one append: the append locks the audit chain's head until the
    chunk commits, and chunks on other workers wait for it, so it comes after every other write of the chunk and
    after the checks of its foreign keys, which PostgreSQL would otherwise run at the commit (deferred
    constraints), while the head is locked. The events stay in the chunk's transaction: committed with its
    changes or not at all."""
    if connection.vendor == "postgresql":  # elsewhere one writer at a time anyway, and checks cost a table scan
        connection.check_constraints()
    audit_record_bulk(audit)


_ClaimRow = tuple[int, int, date, str, date | None, date | None]  # _CLAIM_COLUMNS


def _claims_read(case_ids: list[int]) -> tuple[list[_ClaimRow], list[tuple[int, str, int, date]]]:
    """The chunk's claims in one query: their limitation columns, and the quote's columns (QUOTE_CLAIM_COLUMNS,
    in QUOTE_CLAIM_ORDER)."""
    rows = Claim.objects.filter(AnyOf(F("case_id"), case_ids)).order_by(*QUOTE_CLAIM_ORDER).values_list(*_CLAIM_COLUMNS)
    limitation_rows: list[_ClaimRow] = []
    quote_rows: list[tuple[int, str, int, date]] = []
    for claim_id, case_id, due_date, kind, interrupted_on, stored, invoice_number, principal_cents in rows:
        limitation_rows.append((claim_id, case_id, due_date, kind, interrupted_on, stored))
        quote_rows.append((case_id, invoice_number, principal_cents, due_date))
    return limitation_rows, quote_rows


def _claims_limitation_save(
    claim_rows: list[_ClaimRow],
    limitations: list[ClaimLimitation],
    interrupted: set[int],
    on: date,
) -> None:
    """Write the refreshed limitation dates; a claim whose case got a demand today is interrupted by it
    (BW 3:317): a new period starts tomorrow, and its date and interruption are written together."""
    values_update(
        Claim,
        "limitation_date",
        {
            item.claim_id: item.limitation_date
            for item in limitations
            if item.changed and item.claim_id not in interrupted
        },
    )
    rows_update(
        Claim,
        ("limitation_interrupted_on", "limitation_date"),
        {
            claim_id: (on, claim_limitation_date(due_date=due_date, kind=kind, interrupted_on=on))
            for claim_id, _case_id, due_date, kind, *_ in claim_rows
            if claim_id in interrupted
        },
    )


def _cases_save(cases: list[RunCase], on: date, started: datetime) -> None:
    """Stamp every case with the day and the time the chunk began, and write what the run changed (the stage of
    a case moved, its next measure date...), in one set-based update.

    Every case gets the stamp, so every row is written anyway, and a moved case is written once, not once for the
    move and once for the stamp; values the run left alone are written back as they were read, which changes
    nothing because the cases are locked.
    """
    rows_update(
        Case,
        _RUN_FIELDS,
        {
            case.pk: (
                case.stage,
                on,
                started,
                case.next_measure_on,
                case.costs_due_from,
            )
            for case in cases
        },
    )


def _strategy_inputs(
    cases: list[RunCase],
    on: date,
    facts: dict[int, CaseFacts],
    instructions: dict[int, ClientInstructions],
    near_limitation: set[int],
    earliest_due: dict[int, date],
    requests: dict[int, QuoteRequest],
    history: CaseHistory,
) -> list[StrategyInputs]:
    ids = [case.pk for case in cases]
    tables = interest_rate_tables()
    stage_since = dict(
        StageEvent.objects.filter(AnyOf(F("case_id"), ids))
        .values("case_id")
        .annotate(at=Max("occurred_at"))
        .values_list("case_id", "at")
    )
    zero = Money.zero()
    inputs = []
    for case in cases:
        request = requests.get(case.pk)
        if request is None:
            continue
        quote = quote_calculate(request, tables)
        principal = sum((claim.principal_outstanding for claim in quote.claims), zero)
        entered = stage_since[case.pk].date() if case.pk in stage_since else case.opened_on
        rules = instructions[case.client_id]
        situation = history.situations.get(case.debtor_id, NO_FACTS)
        inputs.append(
            StrategyInputs(
                case_id=case.pk,
                case_number=case.number,
                stage=case.stage,
                consumer=case.consumer,
                amount_outstanding=quote.total_outstanding,
                principal_outstanding=principal,
                age_days=(on - earliest_due[case.pk]).days,
                days_in_stage=(on - entered).days,
                # The payments that still stand (reversed ones left out), as the quote read them.
                payments_count=len(request.payments),
                promises_kept=history.promises.get((case.pk, PromiseStatus.KEPT), 0),
                promises_broken=history.promises.get((case.pk, PromiseStatus.BROKEN), 0),
                income_known=situation.income_known,
                income_below_protected=situation.income_below_protected,
                attachments=situation.attachments,
                other_debts=situation.other_debts,
                vulnerable=case.debtor_id in history.vulnerable,
                fourteen_day_term_passed=fourteen_day_term_has_passed(facts[case.pk]),
                legal_allowed=rules.allows(LEGAL_STEPS),
                legal_approved=case.legal_steps_approved or not rules.legal_steps_need_approval,
                near_limitation=case.pk in near_limitation,
            )
        )
    return inputs
