"""The 14-day letter dates (BW 6:96 lid 6; LEGAL.md section 2 and vectors ``fourteen_day_letter``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.calendar import HolidayCalendar, default_calendar
from incasso.domain.fourteen_day_letter import (
    FourteenDayTerm,
    earliest_valid_last_day,
    fourteen_day_term,
    is_valid_stated_last_day,
    presumed_receipt,
)
from incasso.domain.tests.vectors import legal_vectors

SUNDAY, MONDAY = 6, 0


@pytest.mark.parametrize("vector", legal_vectors()["fourteen_day_letter"], ids=lambda v: v["posted"])
def test_shared_vectors(vector: dict[str, Any]) -> None:
    term = fourteen_day_term(date.fromisoformat(vector["posted"]))
    assert term.presumed_received == date.fromisoformat(vector["presumed_received"])
    assert term.term_last_day == date.fromisoformat(vector["term_last_day"])
    assert term.costs_due_from == date.fromisoformat(vector["costs_due_from"])


def test_legal_example_posted_on_a_tuesday() -> None:
    assert fourteen_day_term(date(2024, 7, 2)) == FourteenDayTerm(
        posted=date(2024, 7, 2),
        presumed_received=date(2024, 7, 4),
        term_first_day=date(2024, 7, 5),
        term_last_day=date(2024, 7, 18),
        costs_due_from=date(2024, 7, 19),
    )


def test_legal_example_last_day_moves_off_a_saturday() -> None:
    assert fourteen_day_term(date(2024, 8, 29)) == FourteenDayTerm(
        posted=date(2024, 8, 29),
        presumed_received=date(2024, 8, 31),
        term_first_day=date(2024, 9, 1),
        term_last_day=date(2024, 9, 16),
        costs_due_from=date(2024, 9, 17),
    )


def test_ascension_and_its_decree_day_are_not_delivery_days() -> None:
    # Wednesday 8 May is delivery day 1; Ascension (9 May) and the decree day (10 May) are skipped.
    term = fourteen_day_term(date(2024, 5, 7))
    assert term.presumed_received == date(2024, 5, 11)
    assert term.term_last_day == date(2024, 5, 27)  # 25 May is a Saturday


def test_without_the_decree_day_the_letter_arrives_a_day_earlier() -> None:
    term = fourteen_day_term(date(2024, 5, 7), calendar=HolidayCalendar())
    assert term.presumed_received == date(2024, 5, 10)
    assert term.term_last_day == date(2024, 5, 24)


def test_christmas_posting() -> None:
    term = fourteen_day_term(date(2024, 12, 23))
    assert term.presumed_received == date(2024, 12, 28)
    assert term.term_last_day == date(2025, 1, 13)


def test_last_day_moves_past_a_weekend_and_easter_monday() -> None:
    term = fourteen_day_term(date(2025, 4, 3))
    assert term.presumed_received == date(2025, 4, 5)
    assert term.term_last_day == date(2025, 4, 22)
    assert term.costs_due_from == date(2025, 4, 23)


def test_non_delivery_weekdays_are_a_parameter() -> None:
    assert presumed_receipt(date(2024, 8, 30), non_delivery_weekdays=frozenset({SUNDAY})) == date(2024, 9, 2)


def test_delivery_days_are_a_parameter() -> None:
    assert presumed_receipt(date(2024, 7, 2), delivery_days=3) == date(2024, 7, 5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"delivery_days": 0}, "first delivery day"),
        ({"non_delivery_weekdays": frozenset(range(7))}, "at least one weekday"),
    ],
)
def test_impossible_delivery_settings_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        presumed_receipt(date(2024, 7, 2), **kwargs)


@pytest.mark.parametrize(
    ("stated", "valid"),
    [
        (date(2024, 9, 14), False),  # receipt + 14, but a Saturday: too early
        (date(2024, 9, 15), False),
        (date(2024, 9, 16), True),
        (date(2024, 9, 30), True),  # later is never void
    ],
)
def test_is_valid_stated_last_day(stated: date, valid: bool) -> None:
    assert is_valid_stated_last_day(date(2024, 8, 29), stated) is valid


def test_earliest_valid_last_day() -> None:
    assert earliest_valid_last_day(date(2024, 8, 30)) == date(2024, 9, 17)


postings = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@given(postings)
def test_presumed_receipt_is_a_delivery_day_at_least_two_days_after_posting(posted: date) -> None:
    received = fourteen_day_term(posted).presumed_received
    assert received.weekday() not in (SUNDAY, MONDAY)
    assert not default_calendar().is_public_holiday(received)
    assert received >= posted + timedelta(days=2)


@given(postings)
def test_term_last_day_is_the_first_working_day_from_receipt_plus_14(posted: date) -> None:
    calendar = default_calendar()
    term = fourteen_day_term(posted)
    plus_14 = term.presumed_received + timedelta(days=14)
    assert not calendar.is_atw_rest_day(term.term_last_day)
    assert term.term_last_day >= plus_14
    skipped = (term.term_last_day - plus_14).days
    assert all(calendar.is_atw_rest_day(plus_14 + timedelta(days=i)) for i in range(skipped))
    assert term.term_first_day == term.presumed_received + timedelta(days=1)
    assert term.costs_due_from == term.term_last_day + timedelta(days=1)


@given(postings)
def test_the_computed_last_day_is_valid_and_the_day_before_is_not(posted: date) -> None:
    last_day = fourteen_day_term(posted).term_last_day
    assert is_valid_stated_last_day(posted, last_day)
    assert not is_valid_stated_last_day(posted, last_day - timedelta(days=1))
