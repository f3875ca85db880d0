"""The daily run feeds the strategy the case's history and the debtor's circumstances (C-6, C-7), set-based, and
looks at a case again when they change between review dates."""

import datetime
import random

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext

from incasso.accounts.factories import UserFactory
from incasso.accounts.roles import Role
from incasso.arrangements.models import PromiseStatus, PromiseToPay
from incasso.arrangements.services import promise_record
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.cases.models import Case
from incasso.cases.selectors import case_quote
from incasso.circumstances.models import FinancialSituation, VulnerabilityFlag
from incasso.circumstances.services import (
    financial_situation_record,
    vulnerability_flag_lift,
    vulnerability_flag_set,
)
from incasso.collection.daily_run import daily_run
from incasso.collection.due import CHANGES_WINDOW, CLOCK_SKEW, changed_since_last_run, changes_read_from
from incasso.decisions.models import Decision
from incasso.domain.money import Money
from incasso.ledger.models import PaymentAllocation
from incasso.ledger.services import payment_receive, payment_reverse
from incasso.parties.factories import DebtorFactory
from incasso.parties.models import DebtorKind

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 11, 2)  # a Monday


def at(day, hour=12):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def collector():
    user = UserFactory(username="collector@example.com")
    user.groups.add(Group.objects.get(name=Role.COLLECTOR))
    return user


def consumer_case():
    case = CaseFactory(debtor=DebtorFactory(kind=DebtorKind.CONSUMER), opened_on=datetime.date(2026, 10, 1))
    ClaimFactory(
        case=case, due_date=datetime.date(2026, 9, 1), invoice_date=datetime.date(2026, 8, 1), principal_cents=50_000
    )
    return case


def pay(case, n, day):
    return payment_receive(
        case_id=case.pk, amount=Money(1_000), received_on=day, key=f"pay-{case.pk}-{n}", source="bank"
    )


def promise(case, status, day=datetime.date(2026, 10, 20)):
    """A promise due on ``day``; a kept or broken one was settled by the next day's run."""
    settled_on = None if status == PromiseStatus.OPEN else day + datetime.timedelta(days=1)
    return PromiseToPay.objects.create(
        case=case,
        promised_on=day - datetime.timedelta(days=10),
        amount_cents=5_000,
        due_on=day,
        status=status,
        settled_on=settled_on,
    )


def situation(user, case, cents, **extra):
    values = {"household": "single", "other_debts": 0, "attachments": 0, "obtained_on": ON - datetime.timedelta(days=5)}
    return financial_situation_record(
        actor=user,
        debtor=case.debtor,
        source="debtor_statement",
        net_income=Money(cents) if cents is not None else None,
        **{**values, **extra},
    )


def test_a_case_with_history_and_circumstances_has_them_in_its_decision(collector):
    case = consumer_case()
    with at(ON - datetime.timedelta(days=3)):
        pay(case, 1, datetime.date(2026, 10, 10))
        pay(case, 2, datetime.date(2026, 10, 11))
        payment_reverse(
            payment_key=f"pay-{case.pk}-2", key="rev-2", booked_on=datetime.date(2026, 10, 12), reason="AC06"
        )
        promise(case, PromiseStatus.KEPT)
        promise(case, PromiseStatus.BROKEN)
        promise(case, PromiseStatus.BROKEN)
        promise(case, PromiseStatus.OPEN, day=ON + datetime.timedelta(days=5))
        situation(collector, case, None, household="", other_debts=3, attachments=0)  # older: not the one that counts
        newer = situation(collector, case, 90_000, other_debts=2, attachments=1)
        newer.obtained_on = ON - datetime.timedelta(days=1)
        newer.save(update_fields=["obtained_on"])
        old = vulnerability_flag_set(actor=collector, debtor=case.debtor, reason="life_event")
        vulnerability_flag_lift(actor=collector, flag=old)
    with at(ON):
        daily_run(on=ON)
    decision = Decision.objects.get(case=case)
    inputs = decision.inputs
    assert (inputs["payments_count"], inputs["promises_kept"], inputs["promises_broken"]) == (1, 1, 2)
    assert (inputs["income_known"], inputs["income_below_protected"]) == (True, True)  # €900 < 95% of the norm
    assert (inputs["attachments"], inputs["other_debts"]) == (True, 2)
    assert inputs["vulnerable"] is False  # the only flag was lifted
    # The standard strategy: an income below the protected income gets an arrangement and a person.
    assert decision.rule_id == "income-below-protected"
    assert decision.outcome["measure"] == "arrangement_offer" and decision.outcome["task"] == "human_review"


def test_a_vulnerable_debtor_gets_an_arrangement_and_a_person(collector):
    case = consumer_case()
    other = consumer_case()
    with at(ON - datetime.timedelta(days=1)):
        vulnerability_flag_set(actor=collector, debtor=case.debtor, reason="debt_counselling")
        situation(collector, other, 400_000)  # well above the protected income
    with at(ON):
        daily_run(on=ON)
    vulnerable = Decision.objects.get(case=case)
    assert vulnerable.inputs["vulnerable"] is True and vulnerable.rule_id == "vulnerable"
    assert vulnerable.outcome["measure"] == "arrangement_offer"
    assert vulnerable.inputs["income_known"] is False
    comfortable = Decision.objects.get(case=other)
    assert (comfortable.inputs["income_known"], comfortable.inputs["income_below_protected"]) == (True, False)
    assert comfortable.rule_id == "consumer-reminder"


def _queries_of_a_run(cases_with_data, collector, on):
    for index in range(cases_with_data):
        case = consumer_case()
        pay(case, index, datetime.date(2026, 10, 10))
        promise(case, PromiseStatus.KEPT)
        situation(collector, case, 90_000 + index)
        vulnerability_flag_set(actor=collector, debtor=case.debtor, reason="language")
    with CaptureQueriesContext(connection) as queries:
        daily_run(on=on)
    assert Decision.objects.filter(decided_on=on).count() == Case.objects.count() >= cases_with_data
    return len(queries)


def test_the_history_is_read_set_based_not_per_case(collector):
    with at(ON - datetime.timedelta(days=1)):
        few = _queries_of_a_run(1, collector, ON)
        many = _queries_of_a_run(6, collector, ON + datetime.timedelta(days=30))
    assert many == few


@pytest.mark.parametrize("change", ["payment", "reversal", "promise", "situation", "flag", "lift"])
def test_a_change_between_review_dates_makes_the_case_due_on_the_next_run(collector, change):
    case = consumer_case()
    flag = None
    before = ON - datetime.timedelta(days=1)
    with at(before):  # booked before the day of the run (on that day it would make the case due once more)
        if change == "lift":
            flag = vulnerability_flag_set(actor=collector, debtor=case.debtor, reason="language")
        if change == "reversal":
            pay(case, 1, before)
        if change == "promise":  # due the day after the run; the run two days later finds it broken and settles it
            promise_record(case=case, amount=Money(5_000), due_on=ON + datetime.timedelta(days=1), on=before)
    with at(ON):
        daily_run(on=ON)
    case.refresh_from_db()
    assert case.next_measure_on > ON + datetime.timedelta(days=3)
    quiet = ON + datetime.timedelta(days=1)
    with at(quiet):
        assert daily_run(on=quiet).cases == 0  # nothing changed: the case waits for its review date
    later = ON + datetime.timedelta(days=2)
    with at(later):
        if change == "payment":
            pay(case, 2, later)
        elif change == "reversal":
            payment_reverse(payment_key=f"pay-{case.pk}-1", key="rev-1", booked_on=later, reason="MD06")
        elif change == "promise":
            pass  # settled by the run itself (``arrangements_check``, before it chooses the cases)
        elif change == "situation":
            situation(collector, case, 90_000)
        elif change == "flag":
            vulnerability_flag_set(actor=collector, debtor=case.debtor, reason="guardianship")
        else:
            vulnerability_flag_lift(actor=collector, flag=flag)
        assert daily_run(on=later).cases == 1
        decisions = Decision.objects.filter(case=case).count()
        assert daily_run(on=later).cases == 0  # the same date again changes nothing
        assert Decision.objects.filter(case=case).count() == decisions == 2
    case.refresh_from_db()
    assert case.last_run_on == later


def _change(collector, case, change, day, flag=None):
    if change == "payment":
        pay(case, 2, day)
    elif change == "reversal":
        payment_reverse(payment_key=f"pay-{case.pk}-1", key="rev-1", booked_on=day, reason="MD06")
    elif change == "situation":
        situation(collector, case, 90_000)
    elif change == "flag":
        vulnerability_flag_set(actor=collector, debtor=case.debtor, reason="guardianship")
    else:
        vulnerability_flag_lift(actor=collector, flag=flag)


@pytest.mark.parametrize("change", ["payment", "reversal", "situation", "flag", "lift"])
@pytest.mark.parametrize(("hour", "woken"), [(9, False), (15, True)])
def test_a_change_on_a_run_day_wakes_the_case_the_next_day_only_if_made_after_the_run(collector, change, hour, woken):
    case = consumer_case()
    flag = None
    before = ON - datetime.timedelta(days=1)
    with at(before):
        if change == "lift":
            flag = vulnerability_flag_set(actor=collector, debtor=case.debtor, reason="language")
        if change == "reversal":
            pay(case, 1, before)
    if hour < 12:
        with at(ON, hour=hour):  # the morning of the run's day: the run at noon reads it
            _change(collector, case, change, ON, flag)
    with at(ON):
        assert daily_run(on=ON).cases == 1
    case.refresh_from_db()
    assert case.last_run_at == datetime.datetime.combine(ON, datetime.time(12), tzinfo=datetime.UTC) - CLOCK_SKEW
    assert case.next_measure_on > ON + datetime.timedelta(days=3)
    if hour > 12:
        with at(ON, hour=hour):  # the afternoon: after the run, so the next day's run must read it
            _change(collector, case, change, ON, flag)
    nxt = ON + datetime.timedelta(days=1)
    with at(nxt):
        assert daily_run(on=nxt).cases == (1 if woken else 0)
        assert daily_run(on=nxt).cases == 0  # the same date again does nothing


def test_a_run_counts_as_unread_what_a_transaction_open_elsewhere_may_still_commit():
    """A change stamped in a transaction still open when a chunk starts may commit after the chunk has read: the
    chunk's ``last_run_at`` goes back to that transaction's start (on PostgreSQL; SQLite has one writer)."""
    noon = datetime.datetime.combine(ON, datetime.time(12), tzinfo=datetime.UTC)
    with at(ON):
        assert changes_read_from() == noon - CLOCK_SKEW  # nothing else open (the run's day is in the past)
    if connection.vendor != "postgresql":
        return
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT now()")
            (began,) = cursor.fetchone()
            assert changes_read_from() == began - CLOCK_SKEW
            # Ended before the connection closes: a closed connection's backend leaves the activity view only when
            # it has exited, a moment later, while an ended transaction leaves it before ROLLBACK returns.
            cursor.execute("ROLLBACK")
    finally:
        other.close()
    assert changes_read_from() > began - CLOCK_SKEW  # closed: it no longer holds the time back


def test_a_promise_settled_by_a_run_does_not_wake_its_case_the_next_day():
    case = consumer_case()
    with at(ON - datetime.timedelta(days=3)):
        promise = promise_record(
            case=case, amount=Money(5_000), due_on=ON - datetime.timedelta(days=1), on=ON - datetime.timedelta(days=3)
        )
    with at(ON):
        daily_run(on=ON)  # settles the promise (broken) before it chooses the cases, so it reads it
    promise.refresh_from_db()
    assert (promise.status, promise.settled_on) == (PromiseStatus.BROKEN, ON)
    assert Decision.objects.get(case=case).inputs["promises_broken"] == 1
    nxt = ON + datetime.timedelta(days=1)
    with at(nxt):
        assert daily_run(on=nxt).cases == 0
    # A case last run before the run's time was kept has only the day: a promise settled then wakes it.
    Case.objects.filter(pk=case.pk).update(last_run_on=ON, last_run_at=None)
    with at(nxt):
        assert daily_run(on=nxt).cases == 1


def test_a_case_last_run_before_the_time_was_kept_is_woken_by_a_change_of_that_day(collector):
    case = consumer_case()
    with at(ON):
        daily_run(on=ON)
    with at(ON, hour=9):
        pay(case, 1, ON)  # before the run, but the run's time is not known
    Case.objects.filter(pk=case.pk).update(last_run_at=None)
    nxt = ON + datetime.timedelta(days=1)
    with at(nxt):
        assert daily_run(on=nxt).cases == 1


def test_a_business_case_is_quoted_with_the_costs_its_first_run_makes_due():
    case = CaseFactory(debtor=DebtorFactory(kind=DebtorKind.SOLE_TRADER), opened_on=datetime.date(2026, 10, 1))
    ClaimFactory(
        case=case, due_date=datetime.date(2026, 8, 1), invoice_date=datetime.date(2026, 7, 1), principal_cents=50_000
    )
    assert case.costs_due_from is None
    daily_run(on=ON)
    case = Case.objects.get(pk=case.pk)
    assert case.costs_due_from is not None  # set by this run (6:96 lid 4)
    quote = case_quote(case=case, as_of=ON)
    assert quote.costs is not None and quote.costs.outstanding.cents > 0
    decision = Decision.objects.get(case=case)
    assert decision.inputs["amount_outstanding"] == str(quote.total_outstanding)


def test_a_case_not_run_for_longer_than_the_window_is_still_woken(collector):
    case = consumer_case()
    long_ago = ON - CHANGES_WINDOW - datetime.timedelta(days=20)
    Case.objects.filter(pk=case.pk).update(last_run_on=long_ago, next_measure_on=ON + datetime.timedelta(days=9))
    with at(ON - datetime.timedelta(days=1)):
        assert daily_run(on=ON - datetime.timedelta(days=1)).cases == 0
        pay(case, 1, ON - datetime.timedelta(days=1))
    with at(ON):
        assert daily_run(on=ON).cases == 1


def _exactly_changed(on):
    """The plain definition the narrowed selection must agree with: any change on or after the day of the case's
    last run and not before the time of that run, where the time is kept; a promise settled after that day, or on
    it where the run's time is not kept."""
    day, run_at = OuterRef("last_run_on"), OuterRef("last_run_at")
    untimed = Q(last_run_at__isnull=True)

    def changes(timed):
        payments = Q(transaction__booked_on__gte=day) | Q(transaction__reversed_by__booked_on__gte=day)
        situations = Q(recorded_at__date__gte=day)
        flags = Q(flagged_at__date__gte=day) | Q(lifted_at__date__gte=day)
        promises = Q(settled_on__gte=day)
        if timed:
            payments = Q(transaction__booked_on__gte=day, transaction__created_at__gte=run_at) | Q(
                transaction__reversed_by__booked_on__gte=day, transaction__reversed_by__created_at__gte=run_at
            )
            situations &= Q(recorded_at__gte=run_at)
            flags = Q(flagged_at__date__gte=day, flagged_at__gte=run_at) | Q(
                lifted_at__date__gte=day, lifted_at__gte=run_at
            )
            promises = Q(settled_on__gt=day)
        return (
            Exists(PaymentAllocation.objects.filter(payments, case_id=OuterRef("pk")))
            | Exists(PromiseToPay.objects.filter(promises, case_id=OuterRef("pk"), status__in=("kept", "broken")))
            | Exists(FinancialSituation.objects.filter(situations, debtor_id=OuterRef("debtor_id")))
            | Exists(VulnerabilityFlag.objects.filter(flags, debtor_id=OuterRef("debtor_id")))
        )

    checks = (untimed & changes(timed=False)) | (~untimed & changes(timed=True))
    return set(Case.objects.filter(Q(last_run_on__isnull=False) & checks).values_list("pk", flat=True))


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_narrowed_selection_finds_exactly_the_changed_cases(collector, seed):
    rng = random.Random(seed)  # noqa: S311 - test data, not a secret
    cases = [consumer_case() for _ in range(36)]
    for number, case in enumerate(cases):
        day = ON - datetime.timedelta(days=rng.choice([1, 3, 5, 30, 61, 62, 63, 90, 200]))
        with at(day, hour=rng.choice([8, 12, 18])):
            event = rng.choice(["payment", "reversal", "promise", "situation", "flag", "lift", "none"])
            if event in {"payment", "reversal"}:
                pay(case, number, day)
                if event == "reversal":
                    payment_reverse(
                        payment_key=f"pay-{case.pk}-{number}", key=f"rev-{number}", booked_on=day, reason="x"
                    )
            elif event == "promise":
                promise(case, rng.choice([PromiseStatus.KEPT, PromiseStatus.BROKEN, PromiseStatus.OPEN]), day=day)
            elif event == "situation":
                situation(collector, case, 90_000, obtained_on=day)
            elif event in {"flag", "lift"}:
                flag = vulnerability_flag_set(actor=collector, debtor=case.debtor, reason="language")
                if event == "lift":
                    vulnerability_flag_lift(actor=collector, flag=flag)
        last_run = ON - datetime.timedelta(days=rng.choice([1, 3, 4, 10, 40, 61, 62, 63, 100, 250]))
        run_at = rng.choice([None, 10, 12, 15])  # the time of that run, on its day (or not kept)
        if run_at is not None:
            run_at = datetime.datetime.combine(last_run, datetime.time(run_at), tzinfo=datetime.UTC)
        Case.objects.filter(pk=case.pk).update(last_run_on=last_run, last_run_at=run_at)
    narrowed = set(Case.objects.filter(changed_since_last_run(on=ON)).values_list("pk", flat=True))
    assert narrowed == _exactly_changed(ON)
    assert narrowed  # the draw has changed cases, and (below) unchanged ones
    assert narrowed != {case.pk for case in cases}
