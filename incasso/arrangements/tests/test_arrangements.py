from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from incasso.arrangements.models import (
    Arrangement,
    ArrangementStatus,
    InstalmentStatus,
    PromiseStatus,
)
from incasso.arrangements.services import (
    arrangement_decide,
    arrangements_check,
    instalments_settle,
    promise_record,
    reminder_key,
)
from incasso.arrangements.tests.conftest import FIRST_DUE, TODAY, owing_case, pay, propose
from incasso.audit.models import AuditEvent
from incasso.cases.models import CaseHold, Measure, MeasureStatus, StaffTask, StageEvent, TaskKind, TaskStatus
from incasso.domain.case_stages import Stage
from incasso.domain.money import Money
from incasso.domain.protected_income import Household
from incasso.ledger.services import payment_reverse
from incasso.ledger.verification import ledger_verify
from incasso.webhooks.services import CASE_EVENTS_QUERIES_UNSUBSCRIBED

pytestmark = pytest.mark.django_db


def test_a_plan_within_the_bounds_is_accepted_and_moves_the_case(owing):
    plan = propose(owing, months=6)

    assert plan.status == ArrangementStatus.ACTIVE
    assert (plan.total_cents, plan.instalment_cents, plan.grace_days) == (60_000, 10_000, 7)
    instalments = list(plan.instalments.order_by("number"))
    assert [i.amount_cents for i in instalments] == [10_000] * 6
    assert [i.due_on for i in instalments][:3] == [FIRST_DUE, datetime.date(2026, 11, 15), datetime.date(2026, 12, 15)]
    owing.refresh_from_db()
    assert owing.stage == Stage.ARRANGEMENT.value
    assert StageEvent.objects.get(case=owing).to_stage == Stage.ARRANGEMENT.value
    reminders = Measure.objects.filter(idempotency_key__in=[reminder_key(i.pk) for i in instalments])
    assert sorted(m.planned_for for m in reminders)[:2] == [datetime.date(2026, 10, 12), datetime.date(2026, 11, 12)]
    audited = AuditEvent.objects.filter(subject_id=str(owing.debtor_id), action="create")
    assert any("arrangements.Arrangement.total_cents" in event.fields for event in audited)
    assert not StaffTask.objects.filter(case=owing).exists()


def test_a_plan_outside_the_bounds_goes_to_a_collector(owing, staff_user):
    plan = propose(owing, months=24)

    assert plan.status == ArrangementStatus.PROPOSED
    task = StaffTask.objects.get(case=owing, kind=TaskKind.ARRANGEMENT_REVIEW)
    assert "longer than the client allows (12 months)" in task.details
    owing.refresh_from_db()
    assert owing.stage == Stage.AMICABLE.value

    arrangement_decide(arrangement=plan, accept=True, actor=staff_user, reason="debtor on benefits", on=TODAY)

    plan.refresh_from_db()
    assert (plan.status, plan.decided_by) == (ArrangementStatus.ACTIVE, staff_user)
    task.refresh_from_db()
    assert (task.status, task.outcome) == (TaskStatus.DONE, "debtor on benefits")
    owing.refresh_from_db()
    assert owing.stage == Stage.ARRANGEMENT.value
    with pytest.raises(ValidationError):
        arrangement_decide(arrangement=plan, accept=False, actor=staff_user, reason="again")


def test_a_rejected_plan_ends_and_a_new_one_may_follow(owing, staff_user):
    plan = propose(owing, months=24)
    arrangement_decide(arrangement=plan, accept=False, actor=staff_user, reason="too long", on=TODAY)
    plan.refresh_from_db()
    assert (plan.status, plan.ended_on) == (ArrangementStatus.REJECTED, TODAY)
    assert propose(owing, months=3).status == ArrangementStatus.ACTIVE


def test_one_open_plan_per_case(owing):
    propose(owing)
    with pytest.raises(ValidationError, match="already has"):
        propose(owing)


def test_an_income_that_leaves_less_than_the_protected_income_goes_to_a_collector(owing):
    plan = propose(owing, months=6, net_income=Money(100_000), household=Household.SINGLE)
    assert plan.status == ArrangementStatus.PROPOSED
    assert "protected income" in StaffTask.objects.get(case=owing).details


def test_a_case_on_hold_keeps_its_stage_but_the_plan_runs(owing):
    CaseHold.objects.create(case=owing, kind="dispute", reason="test")
    plan = propose(owing, months=6)
    owing.refresh_from_db()
    assert (plan.status, owing.stage) == (ArrangementStatus.ACTIVE, Stage.AMICABLE.value)


def test_payments_are_applied_to_instalments_in_due_order(owing):
    pay(owing, 5_000, TODAY, "before")  # paid before the plan: already in its total
    plan = propose(owing, months=3)
    assert plan.total_cents == 55_000
    pay(owing, 25_000, datetime.date(2026, 10, 14), "p1")

    assert instalments_settle(on=datetime.date(2026, 10, 20)) == 2
    statuses = [(i.paid_cents, i.status) for i in plan.instalments.order_by("number")]
    assert statuses == [(18_333, "paid"), (6_667, "open"), (0, "open")]

    pay(owing, 30_000, datetime.date(2026, 11, 20), "p2")
    instalments_settle(on=datetime.date(2026, 11, 20))
    plan.refresh_from_db()
    assert plan.status == ArrangementStatus.COMPLETED
    assert ledger_verify().clean


def test_a_reversed_payment_makes_its_instalment_open_again(owing):
    plan = propose(owing, months=6)
    pay(owing, 10_000, datetime.date(2026, 10, 15), "dd-1")
    instalments_settle(on=datetime.date(2026, 10, 16))
    first = plan.instalments.get(number=1)
    assert first.status == InstalmentStatus.PAID

    payment_reverse(payment_key="dd-1", key="rt-1", booked_on=datetime.date(2026, 10, 18), reason="AC06")
    instalments_settle(on=datetime.date(2026, 10, 18))

    first.refresh_from_db()
    assert (first.status, first.paid_cents) == (InstalmentStatus.OPEN, 0)


def test_a_missed_instalment_breaks_the_plan_after_the_grace_period(owing):
    plan = propose(owing, months=6)
    within_grace = FIRST_DUE + datetime.timedelta(days=7)
    assert arrangements_check(on=within_grace).broken == 0

    summary = arrangements_check(on=within_grace + datetime.timedelta(days=1))

    assert (summary.broken, summary.cases_moved) == (1, 1)
    plan.refresh_from_db()
    assert plan.status == ArrangementStatus.BROKEN
    assert plan.instalments.get(number=1).status == InstalmentStatus.MISSED
    assert plan.instalments.get(number=2).status == InstalmentStatus.OPEN
    owing.refresh_from_db()
    assert owing.stage == Stage.AMICABLE.value
    assert StaffTask.objects.filter(case=owing, idempotency_key=f"arrangement-broken:{plan.pk}").exists()
    assert not Measure.objects.filter(case=owing, status=MeasureStatus.PLANNED).exists()
    assert arrangements_check(on=within_grace + datetime.timedelta(days=2)).broken == 0


def test_a_paid_instalment_does_not_break_the_plan(owing):
    plan = propose(owing, months=6)
    pay(owing, 10_000, FIRST_DUE, "p")
    assert arrangements_check(on=FIRST_DUE + datetime.timedelta(days=30)).broken == 0
    plan.refresh_from_db()
    assert plan.status == ArrangementStatus.ACTIVE


def test_promises_are_kept_or_broken(creditor):
    kept_case, broken_case = owing_case(creditor), owing_case(creditor)
    kept = promise_record(case=kept_case, amount=Money(5_000), due_on=datetime.date(2026, 10, 10), on=TODAY)
    broken = promise_record(case=broken_case, amount=Money(5_000), due_on=datetime.date(2026, 10, 10), on=TODAY)
    pay(kept_case, 5_000, datetime.date(2026, 10, 9), "k")
    pay(broken_case, 4_999, datetime.date(2026, 10, 9), "b")

    assert arrangements_check(on=datetime.date(2026, 10, 10)).promises_kept == 0  # not due yet
    kept.refresh_from_db()
    assert kept.settled_on is None
    summary = arrangements_check(on=datetime.date(2026, 10, 12))

    assert (summary.promises_kept, summary.promises_broken) == (1, 1)
    kept.refresh_from_db()
    broken.refresh_from_db()
    assert (kept.status, broken.status) == (PromiseStatus.KEPT, PromiseStatus.BROKEN)
    # Stamped with the day of the check that settled them, not their due day.
    assert kept.settled_on == broken.settled_on == datetime.date(2026, 10, 12)
    arrangements_check(on=datetime.date(2026, 10, 13))
    kept.refresh_from_db()
    assert kept.settled_on == datetime.date(2026, 10, 12)  # settled once
    assert StaffTask.objects.filter(case=broken_case, kind=TaskKind.CALL).count() == 1
    with pytest.raises(ValidationError):
        promise_record(case=kept_case, amount=Money(0), due_on=datetime.date(2026, 10, 20), on=TODAY)


def _plans(creditor, count: int) -> list[Arrangement]:
    plans = []
    for index in range(count):
        case = owing_case(creditor)
        plans.append(propose(case, months=3))
        pay(case, 20_000, FIRST_DUE, f"q{count}-{index}")
    return plans


@pytest.mark.parametrize("count", [1, 6])
def test_settling_takes_a_fixed_number_of_queries(creditor, django_assert_max_num_queries, count):
    _plans(creditor, count)
    with django_assert_max_num_queries(5):
        assert instalments_settle(on=FIRST_DUE) == count


@pytest.mark.parametrize("count", [1, 6])
def test_checking_takes_a_fixed_number_of_queries(creditor, django_assert_max_num_queries, count):
    for index in range(count):
        propose(owing_case(creditor), months=3)
        promise_record(case=owing_case(creditor), amount=Money(100), due_on=FIRST_DUE, on=TODAY)
        assert index >= 0
    # Broken plans move their cases back with cases_transition_bulk, which looks up webhook subscribers once.
    with django_assert_max_num_queries(30 + CASE_EVENTS_QUERIES_UNSUBSCRIBED):
        summary = arrangements_check(on=FIRST_DUE + datetime.timedelta(days=10))
    assert (summary.broken, summary.cases_moved, summary.promises_broken) == (count, count, count)


def test_the_review_notes_are_written_in_the_active_language(owing):
    with translation.override("nl"):
        plan = propose(owing, months=24, net_income=Money(100_000), household=Household.SINGLE, housing_costs=None)
    task = StaffTask.objects.get(case=owing, kind=TaskKind.ARRANGEMENT_REVIEW)
    assert "24 maanden is langer dan de opdrachtgever toestaat (12 maanden)." in task.details
    assert "laat minder over dan de beslagvrije voet van € " in task.details
    plan.refresh_from_db()
    assert "Woonkosten onbekend: geen verhoging voor woonkosten toegepast" in plan.review_reasons
    assert "longer than" not in plan.review_reasons
