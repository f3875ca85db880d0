from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.arrangement import evaluate_proposal, instalment_amount, instalment_schedule
from incasso.domain.instructions import ClientInstructions
from incasso.domain.money import Money, MoneyError
from incasso.domain.protected_income import ProtectedIncome

BOUNDS = ClientInstructions(1, None, True, 0, 12, Money(2_500))


def test_the_remainder_goes_on_the_last_instalment() -> None:
    schedule = instalment_schedule(Money(10_000), 3, date(2026, 1, 31))
    assert [(i.number, i.due_on, i.amount.cents) for i in schedule] == [
        (1, date(2026, 1, 31), 3_333),
        (2, date(2026, 2, 28), 3_333),
        (3, date(2026, 3, 31), 3_334),
    ]


@given(st.integers(min_value=1, max_value=10_000_000), st.integers(min_value=1, max_value=60))
def test_a_schedule_adds_up_to_the_total(cents: int, months: int) -> None:
    schedule = instalment_schedule(Money(cents), months, date(2026, 5, 15))
    assert sum(i.amount.cents for i in schedule) == cents
    assert len(schedule) == months
    assert all(a.due_on < b.due_on for a, b in pairwise(schedule))


@pytest.mark.parametrize(("cents", "months"), [(0, 3), (1_000, 0), (-5, 1)])
def test_a_schedule_needs_a_positive_total_and_a_month(cents: int, months: int) -> None:
    with pytest.raises(MoneyError):
        instalment_schedule(Money(cents), months, date(2026, 1, 1))


def test_a_proposal_within_the_bounds_is_accepted() -> None:
    verdict = evaluate_proposal(
        total=Money(60_000), months=12, instalment=Money(5_000), bounds=BOUNDS, protected=None, net_income=None
    )
    assert verdict.accepted
    assert verdict.reasons == []


def test_too_long_and_too_small_are_both_named() -> None:
    verdict = evaluate_proposal(
        total=Money(26_000),
        months=13,
        instalment=instalment_amount(Money(26_000), 13),
        bounds=BOUNDS,
        protected=None,
        net_income=None,
    )
    assert not verdict.accepted
    assert len(verdict.reasons) == 2
    assert "longer than the client allows (12 months)" in verdict.reasons[0]
    assert "below the client's minimum of 25.00" in verdict.reasons[1]


def test_a_small_debt_paid_at_once_is_not_below_the_minimum() -> None:
    verdict = evaluate_proposal(
        total=Money(1_000), months=1, instalment=Money(1_000), bounds=BOUNDS, protected=None, net_income=None
    )
    assert verdict.accepted


def test_the_protected_income_must_be_left() -> None:
    protected = ProtectedIncome(Money(150_000), "test", ())
    ok = evaluate_proposal(
        total=Money(60_000),
        months=12,
        instalment=Money(5_000),
        bounds=BOUNDS,
        protected=protected,
        net_income=Money(155_000),
    )
    assert ok.accepted
    refused = evaluate_proposal(
        total=Money(60_000),
        months=12,
        instalment=Money(5_000),
        bounds=BOUNDS,
        protected=protected,
        net_income=Money(154_999),
    )
    assert not refused.accepted
    assert "protected income of 1500.00" in refused.reasons[0]
    assert "at most 49.99" in refused.reasons[0]


def test_an_income_without_a_protected_income_goes_to_a_person() -> None:
    verdict = evaluate_proposal(
        total=Money(60_000),
        months=12,
        instalment=Money(5_000),
        bounds=BOUNDS,
        protected=None,
        net_income=Money(200_000),
    )
    assert not verdict.accepted
