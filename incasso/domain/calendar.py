"""Dutch public holidays as the Algemene termijnenwet (Atw) defines them.

Two rules in LEGAL.md depend on this calendar: a statutory term that ends on a Saturday, Sunday or public
holiday is extended to the next day that is none (Atw art. 1, used for the 14-day letter), and debtors may not
be approached on a public holiday (Besluit kwaliteit incassodienstverlening art. 4.2, citing Atw art. 3).

Atw art. 3 lid 1 lists New Year's Day, Easter Monday, Ascension Day, Whit Monday, Christmas Day, Boxing Day,
the day on which the King's birthday is celebrated, and 5 May (every year, unlike the five-yearly national day
off that generic holiday libraries use). These are computed here for any year. Art. 3 lid 2 lets the minister
declare other days equal to a public holiday by decree; those are data (``data/decree_holidays.json``), never
code, so a new decree is a data change with a source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

SATURDAY = 5
SUNDAY = 6
ATW_ART_3 = "Algemene termijnenwet art. 3 lid 1"
DECREE_RESOURCE = "decree_holidays.json"


@dataclass(frozen=True, slots=True)
class Holiday:
    """One public holiday: the day, a readable name and where the rule comes from."""

    day: date
    name: str
    source: str


def easter_sunday(year: int) -> date:
    """Western (Gregorian) Easter Sunday, by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).

    Easter Monday, Ascension Day and Whit Monday all hang off this date.
    """
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_offset = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_offset) // 451
    month, day = divmod(h + weekday_offset - 7 * m + 114, 31)
    return date(year, month, day + 1)


def kings_day(year: int) -> date:
    """The day the monarch's birthday is celebrated (Atw art. 3 lid 1).

    From 2014: 27 April, or Saturday 26 April when the 27th is a Sunday (Wet vaststelling Koningsdag). Before
    2014 it was Queen's Day, 30 April, held on Saturday 29 April when the 30th was a Sunday (the rule from
    1980 on; the older practice of moving it to Monday is not modelled, as no open claim reaches back that
    far).
    """
    celebrated = date(year, 4, 27) if year >= 2014 else date(year, 4, 30)
    if celebrated.weekday() == SUNDAY:
        return celebrated - timedelta(days=1)
    return celebrated


@cache
def statutory_holidays(year: int) -> tuple[Holiday, ...]:
    """The public holidays of Atw art. 3 lid 1 in ``year``, in date order (decree days excluded)."""
    easter = easter_sunday(year)
    days = [
        (date(year, 1, 1), "New Year's Day"),
        (easter + timedelta(days=1), "Easter Monday"),
        (kings_day(year), "King's Day" if year >= 2014 else "Queen's Day"),
        (date(year, 5, 5), "Liberation Day (5 May)"),
        (easter + timedelta(days=39), "Ascension Day"),
        (easter + timedelta(days=50), "Whit Monday"),
        (date(year, 12, 25), "Christmas Day"),
        (date(year, 12, 26), "Boxing Day"),
    ]
    return tuple(sorted((Holiday(day, name, ATW_ART_3) for day, name in days), key=lambda h: h.day))


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """The statutory holidays plus the decree days this calendar was built with.

    Immutable, so one instance can be shared by every request and cached; build another one (for example in a
    test) to add decree days.
    """

    decree_days: tuple[Holiday, ...] = ()

    def holidays(self, year: int) -> tuple[Holiday, ...]:
        """Every public holiday in ``year``, statutory and decreed, in date order."""
        decreed = (h for h in self.decree_days if h.day.year == year)
        return tuple(sorted((*statutory_holidays(year), *decreed), key=lambda h: h.day))

    def holiday_name(self, d: date) -> str | None:
        """The name of the public holiday on ``d``, or None when it is an ordinary day."""
        for holiday in (*statutory_holidays(d.year), *self.decree_days):
            if holiday.day == d:
                return holiday.name
        return None

    def is_public_holiday(self, d: date) -> bool:
        """True on a holiday of Atw art. 3 lid 1 or a day declared equal to one (art. 3 lid 2)."""
        return self.holiday_name(d) is not None

    def is_atw_rest_day(self, d: date) -> bool:
        """True on a Saturday, Sunday or public holiday: a term may not end on such a day (Atw art. 1)."""
        return d.weekday() in (SATURDAY, SUNDAY) or self.is_public_holiday(d)

    def next_atw_working_day(self, d: date) -> date:
        """``d``, or the first later day that is not a rest day: where Atw art. 1 moves a term's end."""
        while self.is_atw_rest_day(d):
            d += timedelta(days=1)
        return d


def decree_days_from_json(text: str) -> tuple[Holiday, ...]:
    """Parse the decree-day file; fail loudly on a malformed or duplicated row rather than skip it."""
    document: Any = json.loads(text)
    rows = document["rows"] if isinstance(document, dict) else None
    if not isinstance(rows, list):
        raise ValueError("decree holiday file must be an object with a 'rows' list")
    days: list[Holiday] = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or not all(isinstance(row.get(k), str) for k in ("date", "name", "source")):
            raise ValueError(f"decree holiday row {index} needs string fields date, name and source")
        if not row["name"].strip() or not row["source"].strip():
            raise ValueError(f"decree holiday row {index} has an empty name or source")
        try:
            day = date.fromisoformat(row["date"])
        except ValueError as exc:
            raise ValueError(f"decree holiday row {index} has a bad date {row['date']!r}") from exc
        days.append(Holiday(day, row["name"], row["source"]))
    seen = [h.day for h in days]
    duplicates = sorted({d for d in seen if seen.count(d) > 1})
    if duplicates:
        raise ValueError(f"decree holiday file lists a day twice: {', '.join(map(str, duplicates))}")
    return tuple(sorted(days, key=lambda h: h.day))


@cache
def default_calendar() -> HolidayCalendar:
    """The calendar with the decree days shipped in ``incasso/domain/data``, read once per process."""
    text = resources.files("incasso.domain.data").joinpath(DECREE_RESOURCE).read_text(encoding="utf-8")
    return HolidayCalendar(decree_days=decree_days_from_json(text))
