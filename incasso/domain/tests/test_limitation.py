"""Limitation periods and their interruption (BW 3:307-3:324; LEGAL.md section 5)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from incasso.domain.limitation import (
    ClaimType,
    Interruption,
    InterruptionKind,
    LimitationKind,
    is_near_limitation,
    is_time_barred,
    limitation_date,
    limitation_kind_for,
)

DEMAND = InterruptionKind.WRITTEN_DEMAND


def demand(on: date) -> Interruption:
    return Interruption(on, DEMAND)


def test_periods_per_kind() -> None:
    years = {kind: kind.years for kind in LimitationKind}
    assert years == {
        LimitationKind.CONTRACT: 5,
        LimitationKind.CONSUMER_PURCHASE: 2,
        LimitationKind.PERIODIC: 5,
        LimitationKind.JUDGMENT: 20,
    }


@pytest.mark.parametrize(
    ("due", "kind", "expected"),
    [
        (date(2020, 3, 15), LimitationKind.CONTRACT, date(2025, 3, 16)),
        (date(2023, 6, 30), LimitationKind.CONSUMER_PURCHASE, date(2025, 7, 1)),
        (date(2021, 1, 31), LimitationKind.PERIODIC, date(2026, 2, 1)),
        (date(2010, 5, 12), LimitationKind.JUDGMENT, date(2030, 5, 13)),
        (date(2024, 12, 31), LimitationKind.CONTRACT, date(2030, 1, 1)),
    ],
)
def test_period_starts_the_day_after_due_date(due: date, kind: LimitationKind, expected: date) -> None:
    assert limitation_date(due, kind) == expected


def test_period_starting_on_29_february_ends_when_28_february_begins() -> None:
    assert limitation_date(date(2020, 2, 28), LimitationKind.CONTRACT) == date(2025, 2, 28)


def test_written_demand_starts_a_new_period_the_next_day() -> None:
    assert limitation_date(date(2020, 3, 15), LimitationKind.CONTRACT, [demand(date(2024, 1, 10))]) == date(2029, 1, 11)


def test_new_period_is_as_long_as_the_original() -> None:
    acknowledged = Interruption(date(2024, 5, 1), InterruptionKind.ACKNOWLEDGEMENT)
    assert limitation_date(date(2023, 6, 30), LimitationKind.CONSUMER_PURCHASE, [acknowledged]) == date(2026, 5, 2)


def test_interruptions_chain_in_date_order_whatever_the_input_order() -> None:
    interruptions = [demand(date(2024, 5, 1)), demand(date(2019, 6, 1))]
    assert limitation_date(date(2015, 1, 1), LimitationKind.CONTRACT, interruptions) == date(2029, 5, 2)


def test_a_late_interruption_cannot_revive_a_time_barred_claim() -> None:
    due = date(2023, 6, 30)  # time-barred from 1 July 2025
    kind = LimitationKind.CONSUMER_PURCHASE
    assert limitation_date(due, kind, [demand(date(2025, 7, 1))]) == date(2025, 7, 1)
    assert limitation_date(due, kind, [demand(date(2025, 6, 30))]) == date(2027, 7, 1)
    late_then_more = [demand(date(2025, 8, 1)), demand(date(2026, 1, 1))]
    assert limitation_date(due, kind, late_then_more) == date(2025, 7, 1)


def test_an_act_before_the_period_started_does_not_interrupt() -> None:
    assert limitation_date(date(2020, 3, 15), LimitationKind.CONTRACT, [demand(date(2020, 3, 15))]) == date(2025, 3, 16)


def test_judgment_starts_twenty_years_the_day_after() -> None:
    result = limitation_date(date(2018, 1, 1), LimitationKind.CONTRACT, judgment_date=date(2020, 9, 15))
    assert result == date(2040, 9, 16)


def test_interrupting_a_judgment_gives_at_most_five_years() -> None:
    # HR 30-09-2016, ECLI:NL:HR:2016:2222: art. 3:319 lid 2 caps the new period at 5 years.
    served = Interruption(date(2022, 1, 10), InterruptionKind.LEGAL_ACTION)
    before_judgment = demand(date(2019, 1, 1))
    result = limitation_date(
        date(2018, 1, 1), LimitationKind.CONTRACT, [before_judgment, served], judgment_date=date(2020, 9, 15)
    )
    assert result == date(2027, 1, 11)
    assert limitation_date(date(2010, 5, 12), LimitationKind.JUDGMENT, [served]) == date(2027, 1, 11)


def test_judgment_kind_with_a_judgment_date_is_refused() -> None:
    with pytest.raises(ValueError, match="judgment date"):
        limitation_date(date(2010, 5, 12), LimitationKind.JUDGMENT, judgment_date=date(2010, 5, 12))


@pytest.mark.parametrize(
    ("today", "near"),
    [
        (date(2025, 4, 1), False),  # 91 days ahead
        (date(2025, 4, 2), True),  # 90 days ahead
        (date(2025, 6, 30), True),  # the last day the claim can be interrupted
        (date(2025, 7, 1), False),  # time-barred, no longer "near"
    ],
)
def test_is_near_limitation(today: date, near: bool) -> None:
    assert is_near_limitation(date(2025, 7, 1), today) is near


def test_is_near_limitation_custom_window_and_bad_window() -> None:
    assert is_near_limitation(date(2025, 7, 1), date(2025, 6, 1), warn_days=30)
    assert not is_near_limitation(date(2025, 7, 1), date(2025, 5, 31), warn_days=30)
    with pytest.raises(ValueError, match="negative"):
        is_near_limitation(date(2025, 7, 1), date(2025, 6, 1), warn_days=-1)


def test_is_time_barred() -> None:
    assert not is_time_barred(date(2025, 7, 1), date(2025, 6, 30))
    assert is_time_barred(date(2025, 7, 1), date(2025, 7, 1))


due_dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
kinds = st.sampled_from(list(LimitationKind))


@given(due_dates, kinds, st.data())
def test_limitation_date_is_monotone_in_the_interruption_date(
    due: date, kind: LimitationKind, data: st.DataObject
) -> None:
    barred = limitation_date(due, kind)
    running = st.dates(min_value=due + timedelta(days=1), max_value=barred - timedelta(days=1))
    early, late = sorted([data.draw(running), data.draw(running)])
    assert limitation_date(due, kind, [demand(early)]) <= limitation_date(due, kind, [demand(late)])
    assert limitation_date(due, kind, [demand(late)]) > late


@given(due_dates, kinds, st.integers(min_value=0, max_value=3000))
def test_an_interruption_on_or_after_the_limitation_date_changes_nothing(
    due: date, kind: LimitationKind, days_late: int
) -> None:
    barred = limitation_date(due, kind)
    assert limitation_date(due, kind, [demand(barred + timedelta(days=days_late))]) == barred


@given(
    due_dates,
    st.sampled_from([k for k in LimitationKind if k is not LimitationKind.JUDGMENT]),
    st.lists(st.dates(min_value=date(1990, 1, 1), max_value=date(2080, 12, 31)), max_size=4),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2080, 12, 31)),
)
def test_an_extra_interruption_never_shortens_a_period_of_five_years_or_less(
    due: date, kind: LimitationKind, dates: list[date], extra: date
) -> None:
    interruptions = [demand(d) for d in dates]
    without = limitation_date(due, kind, interruptions)
    assume(extra < without)
    assert limitation_date(due, kind, [*interruptions, demand(extra)]) >= without


@pytest.mark.parametrize(
    ("claim_type", "consumer", "kind", "years"),
    [
        (ClaimType.PURCHASE, True, LimitationKind.CONSUMER_PURCHASE, 2),  # art. 7:28
        (ClaimType.ENERGY, True, LimitationKind.CONSUMER_PURCHASE, 2),  # art. 7:28: gas, electricity, heat
        (ClaimType.CONTRACT, True, LimitationKind.CONTRACT, 5),  # art. 3:307
        (ClaimType.PURCHASE, False, LimitationKind.CONTRACT, 5),  # a business buyer: art. 3:307
        (ClaimType.ENERGY, False, LimitationKind.CONTRACT, 5),
        (ClaimType.CONTRACT, False, LimitationKind.CONTRACT, 5),
    ],
)
def test_the_claim_type_and_debtor_fix_the_limitation_kind(
    claim_type: ClaimType, consumer: bool, kind: LimitationKind, years: int
) -> None:
    found = limitation_kind_for(claim_type, consumer=consumer)
    assert found is kind
    assert limitation_date(date(2026, 1, 31), found) == date(2026 + years, 2, 1)
