"""What the daily run does with each case of a chunk, from values the chunk has already read: no queries.

The chunk (``daily_run``) reads its cases as plain values (``RunCase``), lets the strategy decide, and hands each
case with its decision to ``plan_decision`` (or ``plan_without_decision``), which collects the moves, measures,
tasks, letters and interrupted claims in a ``Plan``; the chunk then writes the plan in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext

from incasso.cases.models import MeasureKind, MeasureStatus, TaskKind
from incasso.cases.services import StageMove
from incasso.communications.services import LetterRequest
from incasso.decisions.selectors import ProfilingBlock
from incasso.domain.case_lifecycle import CaseFacts, HoldKind, TransitionRefused, check_transition
from incasso.domain.case_stages import Stage
from incasso.domain.costs_policy import DebtorCategory, collection_costs_due_from
from incasso.domain.instructions import LEGAL_STEPS, ClientInstructions

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


@dataclass(slots=True)
class RunCase:
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
        date (``business_costs_due``), and its quote must see it."""
        return (self.pk, self.interest_kind, self.costs_due_from, self.vat_deductible)


@dataclass
class Plan:
    moves: list[StageMove] = field(default_factory=list)
    measures: list[tuple[int, str, str, date, str]] = field(default_factory=list)
    tasks: dict[str, tuple[int, str, str, date, str]] = field(default_factory=dict)  # by idempotency key
    letters: list[LetterRequest] = field(default_factory=list)
    interrupted_claims: list[int] = field(default_factory=list)
    to_legal: list[int] = field(default_factory=list)  # cases moved to legal proceedings
    # Cases already waiting for the client's answer on legal steps, as the chunk read them: a step awaiting the
    # approval, an open task asking for it. Each review until the answer comes decides the same again, and must
    # not add a second one of either.
    awaiting_approval: frozenset[int] = frozenset()
    approval_asked: frozenset[int] = frozenset()

    def task(self, case_id: int, kind: TaskKind, title: str, on: date) -> None:
        key = f"daily:{case_id}:{on}:{kind.value}"
        self.tasks[key] = (case_id, kind.value, title, on, key)


def approval_may_be_asked(case: RunCase, client_rules: ClientInstructions) -> bool:
    """Only such a case can get a step awaiting the client's approval (``plan_decision``): its client's legal steps
    need approval and the case does not have it yet."""
    return client_rules.legal_steps_need_approval and not case.legal_steps_approved


NO_HOLDS: frozenset[HoldKind] = frozenset()


def run_case_facts(case: RunCase, on: date, instructions: ClientInstructions, holds: frozenset[HoldKind]) -> CaseFacts:
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


def business_costs_due(cases: list[RunCase], earliest_due: dict[int, date]) -> None:
    """A business owes collection costs from the day after the payment term, without a demand (6:96 lid 4)."""
    for case in cases:
        if case.costs_due_from is None and not case.consumer and case.pk in earliest_due:
            case.costs_due_from = collection_costs_due_from(
                category=DebtorCategory.BUSINESS, payment_due=earliest_due[case.pk], fourteen_day_term=None
            )


def plan_decision(
    plan: Plan,
    case: RunCase,
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
    # Asked once: a review before the client's answer decides the same again, and leaves the step and the task
    # that already wait as they are (the decision and the next review date are still recorded).
    awaiting = status == MeasureStatus.AWAITING_APPROVAL
    if awaiting and case.pk not in plan.approval_asked:
        plan.task(case.pk, TaskKind.APPROVAL, gettext("Ask the client to approve legal steps"), on)
    if not (awaiting and case.pk in plan.awaiting_approval):
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


def _legal_step_waits(case: RunCase, client_rules: ClientInstructions) -> bool:
    """Legal steps are allowed but wait for the client's approval, which the case does not have yet."""
    return (
        approval_may_be_asked(case, client_rules)
        and client_rules.allows(LEGAL_STEPS)
        and client_rules.allows(MeasureKind.LEGAL_NOTICE.value)
    )


def plan_without_decision(plan: Plan, case: RunCase, block: ProfilingBlock | None, on: date) -> None:
    """No automated decision: after an objection a collector handles the case by hand; a contested decision
    waits for the human review that contesting it queued (GDPR art. 21, 22(3))."""
    if block is ProfilingBlock.OBJECTED:
        plan.task(case.pk, TaskKind.GENERAL, gettext("Handle by hand: the debtor objected to profiling"), on)
    case.next_measure_on = on + timedelta(days=7 if block is ProfilingBlock.CONTESTED else 14)
