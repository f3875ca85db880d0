"""Retention periods per purpose (LEGAL.md section 7, SPEC P-2)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.retention import (
    DEFAULT_PERIODS,
    TRIGGER_EVENTS,
    Purpose,
    RetentionPeriod,
    is_expired,
    retention_end,
)


def test_every_purpose_has_a_default_period_and_a_trigger() -> None:
    assert set(DEFAULT_PERIODS) == set(Purpose) == set(TRIGGER_EVENTS)
    months = {purpose: period.total_months for purpose, period in DEFAULT_PERIODS.items()}
    assert months == {
        Purpose.COLLECTION_CASE: 36,
        Purpose.CLIENT_RELATIONSHIP: 36,
        Purpose.CREDIT_ASSESSMENT: 36,
        Purpose.AML: 60,
        Purpose.MARKETING: 36,
        Purpose.NEWSLETTER: 0,
        Purpose.BOOKKEEPING: 84,
    }
    assert [p for p, period in DEFAULT_PERIODS.items() if period.end_of_calendar_year] == [Purpose.BOOKKEEPING]


@pytest.mark.parametrize(
    ("purpose", "trigger", "expected"),
    [
        (Purpose.COLLECTION_CASE, date(2024, 3, 15), date(2027, 3, 15)),
        (Purpose.CLIENT_RELATIONSHIP, date(2024, 3, 15), date(2027, 3, 15)),
        (Purpose.CREDIT_ASSESSMENT, date(2023, 11, 30), date(2026, 11, 30)),
        (Purpose.MARKETING, date(2024, 2, 29), date(2027, 2, 28)),
        (Purpose.AML, date(2024, 3, 15), date(2029, 3, 15)),
        (Purpose.NEWSLETTER, date(2025, 5, 6), date(2025, 5, 6)),
        (Purpose.BOOKKEEPING, date(2024, 3, 15), date(2032, 1, 1)),  # calendar financial year 2024
        (Purpose.BOOKKEEPING, date(2024, 12, 31), date(2032, 1, 1)),
    ],
)
def test_default_periods(purpose: Purpose, trigger: date, expected: date) -> None:
    assert retention_end(trigger, DEFAULT_PERIODS[purpose]) == expected


@pytest.mark.parametrize(
    ("record", "fiscal_year_end", "expected"),
    [
        (date(2024, 3, 15), date(2024, 12, 31), date(2032, 1, 1)),
        (date(2024, 9, 1), date(2025, 6, 30), date(2033, 1, 1)),  # financial year ends mid-2025
        (date(2025, 6, 30), date(2025, 6, 30), date(2033, 1, 1)),
        (date(2025, 7, 1), date(2026, 6, 30), date(2034, 1, 1)),
    ],
)
def test_bookkeeping_counts_from_the_end_of_the_calendar_year_the_financial_year_ended(
    record: date, fiscal_year_end: date, expected: date
) -> None:
    period = DEFAULT_PERIODS[Purpose.BOOKKEEPING]
    assert retention_end(record, period, fiscal_year_end=fiscal_year_end) == expected


def test_a_financial_year_cannot_end_before_its_record() -> None:
    with pytest.raises(ValueError, match="financial year"):
        retention_end(date(2025, 1, 5), DEFAULT_PERIODS[Purpose.BOOKKEEPING], fiscal_year_end=date(2024, 12, 31))


def test_other_periods_ignore_the_fiscal_year() -> None:
    period = DEFAULT_PERIODS[Purpose.COLLECTION_CASE]
    assert retention_end(date(2024, 3, 15), period, fiscal_year_end=date(2030, 6, 30)) == date(2027, 3, 15)


def test_newsletter_data_goes_the_day_of_unsubscribing() -> None:
    period = DEFAULT_PERIODS[Purpose.NEWSLETTER]
    assert is_expired(date(2025, 5, 6), period, date(2025, 5, 6))
    assert not is_expired(date(2025, 5, 6), period, date(2025, 5, 5))


def test_expiry_starts_on_the_retention_end() -> None:
    period = DEFAULT_PERIODS[Purpose.COLLECTION_CASE]
    closed = date(2024, 3, 15)
    assert not is_expired(closed, period, date(2027, 3, 14))
    assert is_expired(closed, period, date(2027, 3, 15))


def test_a_legal_hold_keeps_data_past_its_date() -> None:
    period = DEFAULT_PERIODS[Purpose.COLLECTION_CASE]
    closed = date(2024, 3, 15)
    hold = date(2028, 1, 31)
    assert not is_expired(closed, period, date(2027, 3, 15), legal_hold_until=hold)
    assert not is_expired(closed, period, hold, legal_hold_until=hold)
    assert is_expired(closed, period, date(2028, 2, 1), legal_hold_until=hold)
    # A hold that ended before the period did changes nothing.
    assert is_expired(closed, period, date(2027, 3, 15), legal_hold_until=date(2025, 1, 1))


def test_bookkeeping_expiry_uses_the_fiscal_year() -> None:
    period = DEFAULT_PERIODS[Purpose.BOOKKEEPING]
    record = date(2024, 9, 1)
    assert is_expired(record, period, date(2032, 1, 1))  # calendar financial year 2024
    assert not is_expired(record, period, date(2032, 1, 1), fiscal_year_end=date(2025, 6, 30))
    assert is_expired(record, period, date(2033, 1, 1), fiscal_year_end=date(2025, 6, 30))


def test_a_negative_period_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        RetentionPeriod(months=-1)


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
periods = st.builds(
    RetentionPeriod,
    months=st.integers(min_value=0, max_value=120),
    years=st.integers(min_value=0, max_value=10),
    end_of_calendar_year=st.booleans(),
)


@given(trigger=days, period=periods, today=days, hold=st.none() | days)
def test_a_hold_never_shortens_and_expiry_never_precedes_the_trigger(
    trigger: date, period: RetentionPeriod, today: date, hold: date | None
) -> None:
    end = retention_end(trigger, period)
    assert end >= trigger
    if is_expired(trigger, period, today, legal_hold_until=hold):
        assert is_expired(trigger, period, today)
        assert today >= end
        assert hold is None or today > hold


@given(trigger=days, period=periods, extra=st.integers(min_value=0, max_value=400))
def test_once_expired_always_expired(trigger: date, period: RetentionPeriod, extra: int) -> None:
    end = retention_end(trigger, period)
    assert is_expired(trigger, period, end + timedelta(days=extra))
