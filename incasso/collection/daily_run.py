"""The daily run: bring every open case that is due up to date, set-based and in chunks (C-6, C-8, C-14).

For each chunk of cases: refresh the limitation dates, compute the quote, read the payment history, promises and
the debtor's circumstances (``history``), let the strategy decide the next measure (storing inputs, version and
explanation), check the move against the stage machine, and write the moves, measures, tasks and queued letters in
bulk. Which cases are due is ``due.cases_due``. A case handled on a day is stamped with that day (and the time), so
running the same day again finds nothing left to do. Chunks run in-process, or as Celery tasks on workers when a
broker is configured (see ``incasso.collection.tasks``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import get_language, gettext

from incasso.arrangements.models import PromiseStatus
from incasso.arrangements.services import arrangements_check
from incasso.audit.services import AuditEntry, audit_record_bulk
from incasso.cases.models import Case, Claim, Measure, MeasureKind, MeasureStatus, StaffTask, StageEvent, TaskKind
from incasso.cases.selectors import QUOTE_CLAIM_ORDER, case_active_holds, case_quote_requests_from
from incasso.cases.services import StageMove, cases_transition_locked_bulk
from incasso.circumstances.selectors import (
    NO_FACTS,
)
from incasso.collection.due import cases_due, changes_read_from
from incasso.collection.history import CaseHistory, cases_history
from incasso.collection.limitation import (
    ClaimLimitation,
    cases_near_limitation,
    claim_limitation_date,
    claims_limitation_compute,
)
from incasso.communications.services import LetterRequest, letters_queue_bulk
from incasso.core.bulk_insert import AnyOf, rows_insert
from incasso.core.bulk_update import rows_update, values_update
from incasso.core.collector import cyclic_gc_paused
from incasso.decisions.selectors import ProfilingBlock, case_profiling_blocks
from incasso.decisions.services import decisions_take_locked_bulk
from incasso.domain.case_lifecycle import (
    CaseFacts,
    HoldKind,
    TransitionRefused,
    check_transition,
    fourteen_day_term_has_passed,
)
from incasso.domain.case_stages import Stage
from incasso.domain.costs_policy import DebtorCategory, collection_costs_due_from
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
LETTER_MEASURES = frozenset(
    {
        MeasureKind.REMINDER_LETTER.value,
        MeasureKind.FOURTEEN_DAY_LETTER.value,
        MeasureKind.DEMAND_LETTER.value,
        MeasureKind.LEGAL_NOTICE.value,
    }
)
_TASK_KINDS = frozenset(TaskKind.values)
# Written demands interrupt limitation (BW 3:317).
DEMAND_MEASURES = frozenset({MeasureKind.FOURTEEN_DAY_LETTER.value, MeasureKind.DEMAND_LETTER.value})


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


@dataclass(slots=True)
class _Case:
    """The values of a case the run reads and changes: plain values, no model instance."""

    pk: int
    number: str
    stage: Stage
    client_id: int
    debtor_id: int
    consumer: bool
    opened_on: date
    costs_due_from: date | None
    legal_steps_approved: bool
    next_measure_on: date | None
    # The rest of what a quote request is built from (QUOTE_CASE_COLUMNS but the costs-due date, which the run
    # may set before the quote: ``quote_row``).
    interest_kind: str
    vat_deductible: bool

    def quote_row(self) -> tuple[int, str, date | None, bool]:
        """The case's QUOTE_CASE_COLUMNS as the run has them now: a business case's first run sets its costs-due
        date (``_business_costs_due``), and its quote must see it."""
        return (self.pk, self.interest_kind, self.costs_due_from, self.vat_deductible)


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


@dataclass
class _Plan:
    moves: list[StageMove] = field(default_factory=list)
    measures: list[tuple[int, str, str, date, str]] = field(default_factory=list)
    tasks: dict[str, tuple[int, str, str, date, str]] = field(default_factory=dict)  # by idempotency key
    letters: list[LetterRequest] = field(default_factory=list)
    interrupted_claims: list[int] = field(default_factory=list)
    to_legal: list[int] = field(default_factory=list)  # cases moved to legal proceedings

    def task(self, case_id: int, kind: TaskKind, title: str, on: date) -> None:
        key = f"daily:{case_id}:{on}:{kind.value}"
        self.tasks[key] = (case_id, kind.value, title, on, key)


def _cases_lock(case_ids: Sequence[int], on: date) -> list[_Case]:
    """The due cases of the chunk, locked for this transaction (a concurrent run of the same day waits here and
    then finds them stamped), read as plain values."""
    rows = (
        Case.objects.select_for_update(of=("self",))
        .filter(cases_due(on=on), AnyOf(F("pk"), list(case_ids)))
        .values_list(*_CASE_COLUMNS)
    )
    return [
        _Case(
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

    plan = _Plan()
    blocks = case_profiling_blocks(case_ids=ids, on=on)
    # Restriction of processing (GDPR art. 18, on any case of the debtor): storage only — nothing else happens.
    workable = [case for case in cases if blocks.get(case.pk) is not ProfilingBlock.RESTRICTED]
    summary.restricted = len(cases) - len(workable)
    _business_costs_due(workable, earliest_due)
    facts = {
        case.pk: _facts(case, on, instructions[case.client_id], holds.get(case.pk, _NO_HOLDS)) for case in workable
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
    in_dutch = (get_language() or "").startswith("nl")  # task titles and stage reasons are stored as text
    for case in workable:
        decision = decisions.get(case.pk)
        if decision is None:
            summary.not_profiled += 1
            _plan_without_decision(plan, case, blocks.get(case.pk), on)
            continue
        _plan_decision(
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


def _cases_save(cases: list[_Case], on: date, started: datetime) -> None:
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


_NO_HOLDS: frozenset[HoldKind] = frozenset()


def _facts(case: _Case, on: date, instructions: ClientInstructions, holds: frozenset[HoldKind]) -> CaseFacts:
    """What the stage machine's guards need (as ``cases.selectors.case_facts_from`` builds it from a model)."""
    return CaseFacts(
        stage=case.stage,
        consumer=case.consumer,
        today=on,
        holds=holds,
        fourteen_day_term_passed_on=case.costs_due_from,
        legal_steps_need_approval=instructions.legal_steps_need_approval,
        legal_steps_approved=case.legal_steps_approved,
        allowed_measures=instructions.allowed_measures,
    )


def _business_costs_due(cases: list[_Case], earliest_due: dict[int, date]) -> None:
    """A business owes collection costs from the day after the payment term, without a demand (6:96 lid 4)."""
    for case in cases:
        if case.costs_due_from is None and not case.consumer and case.pk in earliest_due:
            case.costs_due_from = collection_costs_due_from(
                category=DebtorCategory.BUSINESS, payment_due=earliest_due[case.pk], fourteen_day_term=None
            )


def _strategy_inputs(
    cases: list[_Case],
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


def _plan_decision(
    plan: _Plan,
    case: _Case,
    outcome: dict[str, object],
    explanation: str,
    on: date,
    facts: CaseFacts,
    client_rules: ClientInstructions,
    claims_of: dict[int, list[int]],
) -> None:
    measure = str(outcome["measure"])
    move_to = outcome.get("move_to")
    status = MeasureStatus.PLANNED
    if move_to:
        target = Stage(str(move_to))
        try:
            check_transition(facts, target)
            plan.moves.append(
                StageMove(
                    case.pk,
                    case.stage,
                    target,
                    gettext("strategy: %(explanation)s") % {"explanation": explanation},
                )
            )
            case.stage = target  # written with the run's stamp (``_cases_save``)
            if target is Stage.LEGAL:
                plan.to_legal.append(case.pk)
        except TransitionRefused as refused:
            if refused.code == "approval_required":
                status = MeasureStatus.AWAITING_APPROVAL
            elif refused.code == "on_hold":
                measure = MeasureKind.REVIEW.value
    task = outcome.get("task")
    if task == TaskKind.APPROVAL.value and status == MeasureStatus.PLANNED and _legal_step_waits(case, client_rules):
        # The strategy asks the client to approve legal steps (it cannot take them yet): the step that waits for
        # the answer is the notice that opens them, as when a move to legal is refused for want of approval. The
        # client portal plans or cancels it; an approval wakes the case for the next run (``due``).
        measure = MeasureKind.LEGAL_NOTICE.value
        status = MeasureStatus.AWAITING_APPROVAL
    if not client_rules.allows(measure) and measure != MeasureKind.REVIEW.value:
        measure = MeasureKind.REVIEW.value  # the client does not allow it: a person decides what else to do
        status = MeasureStatus.PLANNED
    if status == MeasureStatus.AWAITING_APPROVAL:
        plan.task(case.pk, TaskKind.APPROVAL, gettext("Ask the client to approve legal steps"), on)
    plan.measures.append((case.pk, measure, status.value, on, f"daily:{case.pk}:{on}"))
    if measure in LETTER_MEASURES and status == MeasureStatus.PLANNED:
        plan.letters.append(LetterRequest(case_id=case.pk, kind=measure))
        if measure in DEMAND_MEASURES:
            plan.interrupted_claims.extend(claims_of.get(case.pk, []))
        # A queued 14-day letter sets no term yet: the term and the costs-due date follow the day the letter is
        # actually posted, recorded with it (communications.recording), so the guard cannot pass on a letter
        # still waiting in the queue.
    if task and not (task == TaskKind.APPROVAL.value and status == MeasureStatus.AWAITING_APPROVAL):  # (above)
        kind = TaskKind(str(task)) if str(task) in _TASK_KINDS else TaskKind.GENERAL
        plan.task(case.pk, kind, explanation[:200], on)
    review_days = outcome.get("review_in_days")
    case.next_measure_on = on + timedelta(days=max(1, int(str(review_days)) if review_days is not None else 14))


def _legal_step_waits(case: _Case, client_rules: ClientInstructions) -> bool:
    """Legal steps are allowed but wait for the client's approval, which the case does not have yet."""
    return (
        client_rules.legal_steps_need_approval
        and not case.legal_steps_approved
        and client_rules.allows(LEGAL_STEPS)
        and client_rules.allows(MeasureKind.LEGAL_NOTICE.value)
    )


def _plan_without_decision(plan: _Plan, case: _Case, block: ProfilingBlock | None, on: date) -> None:
    """No automated decision: after an objection a collector handles the case by hand; a contested decision
    waits for the human review that contesting it queued (GDPR art. 21, 22(3))."""
    if block is ProfilingBlock.OBJECTED:
        plan.task(case.pk, TaskKind.GENERAL, gettext("Handle by hand: the debtor objected to profiling"), on)
    case.next_measure_on = on + timedelta(days=7 if block is ProfilingBlock.CONTESTED else 14)
