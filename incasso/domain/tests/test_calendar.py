"""The Atw art. 3 holiday calendar: statutory days for any year, decree days from data."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.calendar import (
    Holiday,
    HolidayCalendar,
    decree_days_from_json,
    default_calendar,
    easter_sunday,
    kings_day,
    statutory_holidays,
)

HOLIDAYS_2024 = {
    date(2024, 1, 1): "New Year's Day",
    date(2024, 4, 1): "Easter Monday",
    date(2024, 4, 27): "King's Day",
    date(2024, 5, 5): "Liberation Day (5 May)",
    date(2024, 5, 9): "Ascension Day",
    date(2024, 5, 20): "Whit Monday",
    date(2024, 12, 25): "Christmas Day",
    date(2024, 12, 26): "Boxing Day",
}
HOLIDAYS_2025 = [
    date(2025, 1, 1),
    date(2025, 4, 21),
    date(2025, 4, 26),  # 27 April 2025 is a Sunday
    date(2025, 5, 5),
    date(2025, 5, 29),
    date(2025, 6, 9),
    date(2025, 12, 25),
    date(2025, 12, 26),
]
DECREE_DAYS_2024 = [date(2024, 5, 10), date(2024, 12, 27)]


def test_statutory_holidays_2024() -> None:
    assert {h.day: h.name for h in statutory_holidays(2024)} == HOLIDAYS_2024


def test_statutory_holidays_2025() -> None:
    assert [h.day for h in statutory_holidays(2025)] == HOLIDAYS_2025


def test_every_statutory_holiday_cites_atw_article_3() -> None:
    assert {h.source for h in statutory_holidays(2025)} == {"Algemene termijnenwet art. 3 lid 1"}


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2000, date(2000, 4, 23)),
        (2008, date(2008, 3, 23)),
        (2011, date(2011, 4, 24)),
        (2019, date(2019, 4, 21)),
        (2023, date(2023, 4, 9)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_sunday_known_years(year: int, expected: date) -> None:
    assert easter_sunday(year) == expected


@given(st.integers(min_value=1583, max_value=9999))
def test_easter_is_a_sunday_between_22_march_and_25_april(year: int) -> None:
    easter = easter_sunday(year)
    assert easter.weekday() == 6
    assert date(year, 3, 22) <= easter <= date(year, 4, 25)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2014, date(2014, 4, 26)),  # 27 April 2014 was a Sunday
        (2024, date(2024, 4, 27)),  # a Saturday stays put
        (2025, date(2025, 4, 26)),
        (2026, date(2026, 4, 27)),
        (2006, date(2006, 4, 29)),  # Queen's Day: 30 April 2006 was a Sunday
        (2013, date(2013, 4, 30)),
    ],
)
def test_kings_day(year: int, expected: date) -> None:
    assert kings_day(year) == expected


def test_5_may_is_a_holiday_every_year_not_only_in_lustrum_years() -> None:
    calendar = HolidayCalendar()
    assert all(calendar.is_public_holiday(date(year, 5, 5)) for year in range(2020, 2031))


def test_good_friday_is_not_an_atw_holiday() -> None:
    assert not HolidayCalendar().is_public_holiday(date(2024, 3, 29))


def test_default_calendar_ships_the_2024_decree_days() -> None:
    calendar = default_calendar()
    for day in DECREE_DAYS_2024:
        assert calendar.is_public_holiday(day)
        assert not HolidayCalendar().is_public_holiday(day)
    assert [h.day for h in calendar.holidays(2024)] == sorted([*HOLIDAYS_2024, *DECREE_DAYS_2024])


def test_default_calendar_is_loaded_once() -> None:
    assert default_calendar() is default_calendar()


def test_shipped_decree_rows_are_complete() -> None:
    for holiday in default_calendar().decree_days:
        assert holiday.name.strip()
        assert "art. 3 lid 2" in holiday.source


def test_holiday_name() -> None:
    calendar = default_calendar()
    assert calendar.holiday_name(date(2024, 5, 9)) == "Ascension Day"
    assert calendar.holiday_name(date(2024, 5, 10)) == "Friday after Ascension Day 2024 (decree day)"
    assert calendar.holiday_name(date(2024, 5, 8)) is None


@pytest.mark.parametrize(
    ("day", "rest"),
    [
        (date(2024, 9, 14), True),  # Saturday
        (date(2024, 9, 15), True),  # Sunday
        (date(2024, 9, 16), False),  # Monday
        (date(2024, 5, 20), True),  # Whit Monday
        (date(2024, 12, 27), True),  # decree day, a Friday
        (date(2024, 12, 30), False),
    ],
)
def test_is_atw_rest_day(day: date, rest: bool) -> None:
    assert default_calendar().is_atw_rest_day(day) is rest


def test_next_atw_working_day_skips_a_long_weekend() -> None:
    calendar = default_calendar()
    # Christmas Wednesday, Boxing Day Thursday, decree Friday, then the weekend.
    assert calendar.next_atw_working_day(date(2024, 12, 25)) == date(2024, 12, 30)
    assert calendar.next_atw_working_day(date(2024, 12, 30)) == date(2024, 12, 30)


def test_custom_decree_day() -> None:
    calendar = HolidayCalendar(decree_days=(Holiday(date(2030, 5, 31), "test decree day", "test"),))
    assert calendar.is_public_holiday(date(2030, 5, 31))
    assert calendar.is_atw_rest_day(date(2030, 5, 31))


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_next_atw_working_day_is_the_first_day_that_is_not_a_rest_day(day: date) -> None:
    calendar = default_calendar()
    result = calendar.next_atw_working_day(day)
    assert result >= day
    assert not calendar.is_atw_rest_day(result)
    assert all(calendar.is_atw_rest_day(day + timedelta(days=i)) for i in range((result - day).days))


def _decree_file(*rows: object) -> str:
    return json.dumps({"about": "test", "rows": list(rows)})


def test_decree_file_parses_and_sorts() -> None:
    text = _decree_file(
        {"date": "2030-12-27", "name": "b", "source": "s"},
        {"date": "2030-05-31", "name": "a", "source": "s"},
    )
    assert [h.day for h in decree_days_from_json(text)] == [date(2030, 5, 31), date(2030, 12, 27)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "'rows' list"),
        (_decree_file({"date": "2030-05-31", "name": "a"}), "string fields"),
        (_decree_file({"date": "2030-05-31", "name": "a", "source": " "}), "empty name or source"),
        (
            _decree_file(
                {"date": "2030-05-31", "name": "a", "source": "s"},
                {"date": "2030-05-31", "name": "b", "source": "s"},
            ),
            "twice: 2030-05-31",
        ),
    ],
)
def test_decree_file_fails_loudly_on_bad_rows(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        decree_days_from_json(text)


def test_decree_file_rejects_a_bad_date() -> None:
    with pytest.raises(ValueError, match="row 0 has a bad date '2030-02-30'"):
        decree_days_from_json(_decree_file({"date": "2030-02-30", "name": "a", "source": "s"}))
