"""Contact hours (Besluit kwaliteit incassodienstverlening art. 4.2; LEGAL.md section 8)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.calendar import HolidayCalendar
from incasso.domain.contact import AMSTERDAM, is_contact_allowed, next_allowed_contact


def ams(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        (ams(2024, 9, 17, 6, 59), False),
        (ams(2024, 9, 17, 7, 0), True),
        (ams(2024, 9, 17, 19, 59, 59), True),
        (ams(2024, 9, 17, 20, 0), False),
        (ams(2024, 9, 14, 15, 0), True),  # Saturday is allowed
        (ams(2024, 9, 15, 12, 0), False),  # Sunday
        (ams(2024, 5, 20, 12, 0), False),  # Whit Monday
        (ams(2024, 5, 10, 12, 0), False),  # decree day
        (ams(2025, 5, 5, 12, 0), False),  # 5 May, every year
        (datetime(2024, 7, 2, 5, 30, tzinfo=UTC), True),  # 07:30 summer time
        (datetime(2024, 7, 2, 4, 30, tzinfo=UTC), False),  # 06:30 summer time
        (datetime(2024, 1, 9, 6, 30, tzinfo=UTC), True),  # 07:30 winter time
        (datetime(2024, 1, 9, 19, 30, tzinfo=UTC), False),  # 20:30 winter time
    ],
)
def test_is_contact_allowed(at: datetime, allowed: bool) -> None:
    assert is_contact_allowed(at) is allowed


def test_decree_days_come_from_the_calendar() -> None:
    assert is_contact_allowed(ams(2024, 5, 10, 12, 0), HolidayCalendar())


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (ams(2024, 9, 14, 23, 0), ams(2024, 9, 16, 7, 0)),  # Saturday night waits for Monday
        (ams(2024, 5, 18, 23, 0), ams(2024, 5, 21, 7, 0)),  # ... for Tuesday when Monday is Whit Monday
        (ams(2024, 5, 8, 21, 0), ams(2024, 5, 11, 7, 0)),  # Ascension, then the decree day
        (ams(2024, 12, 24, 21, 0), ams(2024, 12, 28, 7, 0)),  # Christmas, Boxing Day, decree day
        (ams(2024, 9, 17, 3, 0), ams(2024, 9, 17, 7, 0)),  # the same morning
        (ams(2024, 9, 17, 20, 0), ams(2024, 9, 18, 7, 0)),
        (ams(2025, 3, 29, 21, 0), ams(2025, 3, 31, 7, 0)),  # across the switch to summer time
        (datetime(2024, 9, 17, 4, 0, tzinfo=UTC), ams(2024, 9, 17, 7, 0)),
    ],
)
def test_next_allowed_contact(at: datetime, expected: datetime) -> None:
    result = next_allowed_contact(at)
    assert result == expected
    assert result.tzinfo is AMSTERDAM


def test_an_allowed_moment_is_returned_unchanged() -> None:
    at = datetime(2024, 9, 17, 10, 15, 30, tzinfo=UTC)
    assert next_allowed_contact(at) == at


def test_next_allowed_contact_uses_the_given_calendar() -> None:
    assert next_allowed_contact(ams(2024, 12, 24, 21, 0), HolidayCalendar()) == ams(2024, 12, 27, 7, 0)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_contact_allowed(datetime(2024, 9, 17, 12, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        next_allowed_contact(datetime(2024, 9, 17, 12, 0))


moments = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 12, 31),
    timezones=st.sampled_from([UTC, AMSTERDAM, ZoneInfo("America/New_York")]),
)


@given(moments)
def test_next_allowed_contact_is_allowed_and_not_earlier(at: datetime) -> None:
    result = next_allowed_contact(at)
    assert is_contact_allowed(result)
    assert result >= at
    if result != at:
        assert not is_contact_allowed(at)
        assert result.timetz().replace(tzinfo=None) == time(7, 0)
        assert result - at < timedelta(days=8)
