"""Writes for payment arrangements and promises to pay (C-10).

A plan is proposed against the case's one quote (LEGAL.md §4) on the day of the proposal, accepted automatically
when ``domain.arrangement.evaluate_proposal`` says so and otherwise queued for a collector. The daily services
(:func:`instalments_settle`, :func:`arrangements_check`) are set-based: a fixed number of queries however many
plans there are.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incasso.arrangements.models import (
    Arrangement,
    ArrangementStatus,
    Instalment,
    InstalmentStatus,
    PromiseStatus,
    PromiseToPay,
    ProposedBy,
)
from incasso.arrangements.review_notes import review_notes_text
from incasso.audit.models import AuditAction
from incasso.audit.services import AuditEntry, audit_record, audit_record_bulk
from incasso.cases.models import Case, Measure, MeasureKind, MeasureStatus, StaffTask, TaskKind, TaskStatus
from incasso.cases.selectors import case_active_holds, case_facts, case_facts_from, case_quote
from incasso.cases.services import StageMove, case_transition, cases_transition_bulk, task_create
from incasso.domain.arrangement import evaluate_proposal, instalment_amount, instalment_schedule
from incasso.domain.audit_chain import SubjectRef
from incasso.domain.case_lifecycle import TransitionRefused, check_transition
from incasso.domain.case_stages import Stage
from incasso.domain.data_map import ProcessingPurpose
from incasso.domain.instructions import ClientInstructions
from incasso.domain.money import Money
from incasso.domain.protected_income import Household, protected_income, shipped_protected_income_table
from incasso.ledger.selectors import case_payments
from incasso.parties.selectors import client_instructions

SYSTEM = "system"
REMINDER_DAYS_BEFORE = 3
ARRANGEMENT_FIELDS = (
    "arrangements.Arrangement.status",
    "arrangements.Arrangement.total_cents",
    "arrangements.Arrangement.months",
    "arrangements.Arrangement.instalment_cents",
)
PROMISE_FIELDS = ("arrangements.PromiseToPay.amount_cents", "arrangements.PromiseToPay.due_on")


def _debtor(debtor_id: int) -> SubjectRef:
    return SubjectRef("parties.Debtor", str(debtor_id))


def _actor(actor: User | None) -> User | str:
    return actor if actor is not None and actor.pk else SYSTEM


def reminder_key(instalment_id: int) -> str:
    """The idempotency key of the reminder measure planned for an instalment."""
    return f"arrangement-reminder:{instalment_id}"


@transaction.atomic
def arrangement_propose(
    *,
    case: Case,
    months: int,
    first_due: datetime.date,
    proposed_by: ProposedBy,
    on: datetime.date,
    actor: User | None = None,
    net_income: Money | None = None,
    household: Household | None = None,
    housing_costs: Money | None = None,
    health_premium: Money | None = None,
) -> Arrangement:
    """Propose a plan of ``months`` instalments for what the case owes on ``on``; accept it if the rules allow.

    Accepted: the plan is active, the case moves to the arrangement stage (when the stage machine allows it) and
    reminders are planned. Otherwise the plan waits as proposed, with a task for a collector naming the reasons.
    """
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.stage == Stage.CLOSED.value:
        raise ValidationError(_("A closed case cannot get a payment arrangement."), code="case_closed")
    if Arrangement.objects.filter(
        case=locked, status__in=[ArrangementStatus.PROPOSED, ArrangementStatus.ACTIVE]
    ).exists():
        raise ValidationError(_("This case already has a payment arrangement."), code="arrangement_exists")
    if first_due < on:
        raise ValidationError(_("The first instalment cannot fall due in the past."), code="first_due_past")
    total = case_quote(case=locked, as_of=on).total_outstanding
    if total.cents <= 0:
        raise ValidationError(_("The case owes nothing."), code="nothing_owed")
    if months < 1:
        raise ValidationError(_("A plan needs at least one instalment."), code="months")
    instalment = instalment_amount(total, months)
    bounds = client_instructions(client_id=locked.client_id, on=on)
    protected = None
    if net_income is not None and household is not None:
        protected = protected_income(
            on=on,
            household=household,
            net_income=net_income,
            housing_costs=housing_costs,
            health_premium=health_premium,
            table=shipped_protected_income_table(),
        )
    verdict = evaluate_proposal(
        total=total, months=months, instalment=instalment, bounds=bounds, protected=protected, net_income=net_income
    )
    baseline = sum(p.amount.cents for p in case_payments(case_ids=[locked.pk]).get(locked.pk, []) if p.date <= on)
    arrangement = Arrangement.objects.create(
        case=locked,
        proposed_by=proposed_by.value,
        total_cents=total.cents,
        months=months,
        instalment_cents=instalment.cents,
        first_due=first_due,
        payments_baseline_cents=baseline,
        review_reasons=review_notes_text(verdict.notes),
    )
    Instalment.objects.bulk_create(
        Instalment(arrangement=arrangement, number=i.number, due_on=i.due_on, amount_cents=i.amount.cents)
        for i in instalment_schedule(total, months, first_due)
    )
    audit_record(
        actor=_actor(actor),
        action=AuditAction.CREATE,
        subject=_debtor(locked.debtor_id),
        fields=ARRANGEMENT_FIELDS,
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=SYSTEM if actor is None else "staff",
        details={"case": locked.number, "months": months, "total": str(total), "accepted": verdict.accepted},
    )
    if verdict.accepted:
        _activate(arrangement=arrangement, case=locked, actor=actor, on=on, reason="accepted within the bounds")
    else:
        task_create(
            kind=TaskKind.ARRANGEMENT_REVIEW,
            title=_("Review the payment arrangement of case %(case)s") % {"case": locked.number},
            details=review_notes_text(verdict.notes),
            due_on=on,
            case=locked,
            idempotency_key=f"arrangement-review:{arrangement.pk}",
        )
    if protected is not None and protected.notes:
        arrangement.review_reasons = review_notes_text([*verdict.notes, *protected.notes])
        arrangement.save(update_fields=["review_reasons"])
    return arrangement


def _activate(*, arrangement: Arrangement, case: Case, actor: User | None, on: datetime.date, reason: str) -> None:
    arrangement.status = ArrangementStatus.ACTIVE
    arrangement.decided_by = actor if actor is not None and actor.pk else None
    arrangement.decided_at = timezone.now()
    arrangement.save(update_fields=["status", "decided_by", "decided_at"])
    if case.stage != Stage.ARRANGEMENT.value:
        try:
            check_transition(case_facts(case=case, today=on), Stage.ARRANGEMENT)
        except TransitionRefused:
            pass  # e.g. on hold: the plan runs, the stage stays; the collector sees both
        else:
            case_transition(case=case, to=Stage.ARRANGEMENT, reason=reason, today=on, actor=actor)
    Measure.objects.bulk_create(
        Measure(
            case=case,
            kind=MeasureKind.EMAIL,
            planned_for=max(instalment.due_on - datetime.timedelta(days=REMINDER_DAYS_BEFORE), on),
            idempotency_key=reminder_key(instalment.pk),
        )
        for instalment in arrangement.instalments.all()
    )


@transaction.atomic
def arrangement_decide(
    *, arrangement: Arrangement, accept: bool, actor: User, reason: str, on: datetime.date | None = None
) -> Arrangement:
    """A collector accepts or rejects a proposed plan; the review task is closed with the reason."""
    locked = Arrangement.objects.select_for_update().select_related("case").get(pk=arrangement.pk)
    if locked.status != ArrangementStatus.PROPOSED:
        raise ValidationError(_("Only a proposed arrangement can be decided."), code="not_proposed")
    today = on or timezone.localdate()
    locked.review_reasons = "\n".join(filter(None, [locked.review_reasons, reason]))
    if accept:
        locked.save(update_fields=["review_reasons"])
        _activate(arrangement=locked, case=locked.case, actor=actor, on=today, reason=reason)
    else:
        locked.status = ArrangementStatus.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.ended_on = today
        locked.save(update_fields=["status", "decided_by", "decided_at", "ended_on", "review_reasons"])
    StaffTask.objects.filter(idempotency_key=f"arrangement-review:{locked.pk}", status=TaskStatus.OPEN).update(
        status=TaskStatus.DONE, outcome=reason, closed_at=timezone.now(), closed_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        subject=_debtor(locked.case.debtor_id),
        fields=("arrangements.Arrangement.status", "arrangements.Arrangement.review_reasons"),
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source="staff",
        details={"case": locked.case.number, "accepted": accept},
    )
    arrangement.refresh_from_db()
    return arrangement


def _paid_beyond(payments: Iterable[Money], baseline_cents: int) -> int:
    return max(sum(p.cents for p in payments) - baseline_cents, 0)


@transaction.atomic
def instalments_settle(*, on: datetime.date) -> int:
    """Apply what each active plan's case has been paid, beyond its baseline, to its instalments in due order.

    Recomputed from the ledger each time, so a payment reversed since (a returned direct debit) makes its
    instalment open again. Returns the number of instalments changed. Four queries, whatever the number of plans.
    """
    rows = list(
        Instalment.objects.filter(arrangement__status=ArrangementStatus.ACTIVE)
        .select_related("arrangement")
        .order_by("arrangement_id", "due_on", "number")
    )
    if not rows:
        return 0
    paid = case_payments(case_ids={row.arrangement.case_id for row in rows})
    left: dict[int, int] = {}
    changed: list[Instalment] = []
    complete: dict[int, bool] = {}
    for row in rows:
        plan = row.arrangement
        if plan.pk not in left:
            money = [p.amount for p in paid.get(plan.case_id, []) if p.date <= on]
            left[plan.pk] = _paid_beyond(money, plan.payments_baseline_cents)
        applied = min(row.amount_cents, left[plan.pk])
        left[plan.pk] -= applied
        if applied == row.amount_cents:
            status = InstalmentStatus.PAID
        elif row.status == InstalmentStatus.MISSED:
            status = InstalmentStatus.MISSED
        else:
            status = InstalmentStatus.OPEN
        complete[plan.pk] = complete.get(plan.pk, True) and status == InstalmentStatus.PAID
        if (row.paid_cents, row.status) != (applied, status):
            row.paid_cents, row.status = applied, status.value
            changed.append(row)
    Instalment.objects.bulk_update(changed, ["paid_cents", "status"], batch_size=1000)
    done = [plan_id for plan_id, whole in complete.items() if whole]
    if done:
        Arrangement.objects.filter(pk__in=done, status=ArrangementStatus.ACTIVE).update(
            status=ArrangementStatus.COMPLETED, ended_on=on
        )
    return len(changed)


@dataclass(frozen=True, slots=True)
class CheckSummary:
    broken: int
    cases_moved: int
    promises_kept: int
    promises_broken: int


@transaction.atomic
def arrangements_check(*, on: datetime.date) -> CheckSummary:
    """Break the plans with an instalment unpaid more than ``grace_days`` after it fell due, and settle promises.

    Payments are applied first (:func:`instalments_settle`). A broken plan: its unpaid instalments are missed,
    its reminders cancelled, its case moved back to amicable collection where the stage machine allows, and a
    collector gets a task. A promise whose day has passed is kept when the case was paid at least its amount
    between the promise and its due day; a broken promise also gives a task. Fixed number of queries.
    """
    instalments_settle(on=on)
    overdue = (
        Instalment.objects.filter(
            arrangement__status=ArrangementStatus.ACTIVE,
            status__in=[InstalmentStatus.OPEN, InstalmentStatus.MISSED],
            due_on__lt=on,
        )
        .select_related("arrangement__case__debtor")
        .order_by("arrangement_id", "due_on")
    )
    broken: dict[int, Arrangement] = {}
    for row in overdue:
        plan = row.arrangement
        if row.due_on + datetime.timedelta(days=plan.grace_days) < on:
            broken.setdefault(plan.pk, plan)
    moved = 0
    if broken:
        plan_ids = list(broken)
        Arrangement.objects.filter(pk__in=plan_ids).update(status=ArrangementStatus.BROKEN, ended_on=on)
        missed_filter = {"arrangement_id__in": plan_ids, "due_on__lt": on, "status": InstalmentStatus.OPEN}
        Instalment.objects.filter(**missed_filter).update(status=InstalmentStatus.MISSED)
        unpaid = Instalment.objects.filter(arrangement_id__in=plan_ids).exclude(status=InstalmentStatus.PAID)
        keys = [reminder_key(pk) for pk in unpaid.values_list("pk", flat=True)]
        Measure.objects.filter(idempotency_key__in=keys, status=MeasureStatus.PLANNED).update(
            status=MeasureStatus.CANCELLED
        )
        moved = _cases_back_to_amicable(plans=list(broken.values()), on=on)
        _tasks_create(
            [
                (
                    plan.case,
                    f"arrangement-broken:{plan.pk}",
                    _("Payment arrangement of case %(case)s broken") % {"case": plan.case.number},
                )
                for plan in broken.values()
            ],
            on=on,
        )
        audit_record_bulk(
            [
                AuditEntry(
                    SYSTEM,
                    AuditAction.UPDATE,
                    _debtor(plan.case.debtor_id),
                    ("arrangements.Arrangement.status",),
                    ProcessingPurpose.DEBT_COLLECTION,
                    SYSTEM,
                    {"case": plan.case.number, "status": ArrangementStatus.BROKEN.value},
                )
                for plan in broken.values()
            ]
        )
    kept, promises_broken = _promises_check(on=on)
    return CheckSummary(len(broken), moved, kept, promises_broken)


def _cases_back_to_amicable(*, plans: list[Arrangement], on: datetime.date) -> int:
    cases = [plan.case for plan in plans if plan.case.stage == Stage.ARRANGEMENT.value]
    if not cases:
        return 0
    holds = case_active_holds(case_ids=[case.pk for case in cases])
    moves = []
    # The arrangement -> amicable move needs neither the client's instructions nor the 14-day term: the default
    # instructions stand in, which keeps this at one query for the holds.
    instructions = ClientInstructions.agency_default()
    for case in cases:
        facts = case_facts_from(case=case, today=on, instructions=instructions, holds=holds.get(case.pk, frozenset()))
        try:
            check_transition(facts, Stage.AMICABLE)
        except TransitionRefused:
            continue
        moves.append(StageMove(case.pk, Stage.ARRANGEMENT, Stage.AMICABLE, _("payment arrangement broken")))
    return cases_transition_bulk(moves=moves, today=on, actor_name=SYSTEM) if moves else 0


def _tasks_create(tasks: list[tuple[Case, str, str]], *, on: datetime.date) -> None:
    keys = [key for _case, key, _title in tasks]
    existing = set(StaffTask.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    StaffTask.objects.bulk_create(
        StaffTask(case=case, kind=TaskKind.CALL, title=title, due_on=on, idempotency_key=key)
        for case, key, title in tasks
        if key not in existing
    )


def _promises_check(*, on: datetime.date) -> tuple[int, int]:
    """Settle the open promises whose day has passed, stamped with the day they were settled (``settled_on``)."""
    due = list(
        PromiseToPay.objects.filter(status=PromiseStatus.OPEN, due_on__lt=on).select_related("case").order_by("pk")
    )
    if not due:
        return 0, 0
    paid = case_payments(case_ids={promise.case_id for promise in due})
    kept: list[int] = []
    broken: list[PromiseToPay] = []
    for promise in due:
        received = sum(
            p.amount.cents for p in paid.get(promise.case_id, []) if promise.promised_on <= p.date <= promise.due_on
        )
        if received >= promise.amount_cents:
            kept.append(promise.pk)
        else:
            broken.append(promise)
    PromiseToPay.objects.filter(pk__in=kept).update(status=PromiseStatus.KEPT, settled_on=on)
    PromiseToPay.objects.filter(pk__in=[p.pk for p in broken]).update(status=PromiseStatus.BROKEN, settled_on=on)
    _tasks_create(
        [
            (p.case, f"promise-broken:{p.pk}", _("Promise to pay on case %(case)s broken") % {"case": p.case.number})
            for p in broken
        ],
        on=on,
    )
    return len(kept), len(broken)


@transaction.atomic
def promise_record(
    *, case: Case, amount: Money, due_on: datetime.date, on: datetime.date, actor: User | None = None
) -> PromiseToPay:
    """Record the debtor's promise to pay ``amount`` by ``due_on``; :func:`arrangements_check` settles it."""
    if amount.cents <= 0:
        raise ValidationError(_("A promise must be for a positive amount."), code="amount")
    if due_on < on:
        raise ValidationError(_("A promise cannot fall due in the past."), code="due_past")
    promise = PromiseToPay.objects.create(case=case, promised_on=on, amount_cents=amount.cents, due_on=due_on)
    audit_record(
        actor=_actor(actor),
        action=AuditAction.CREATE,
        subject=_debtor(case.debtor_id),
        fields=PROMISE_FIELDS,
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=SYSTEM if actor is None else "staff",
        details={"case": case.number, "amount": str(amount), "due_on": due_on.isoformat()},
    )
    return promise
