"""The dates of the 14-day letter (veertiendagenbrief, BW art. 6:96 lid 6).

A consumer owes extrajudicial collection costs only after a letter that gives 14 days to pay, "starting the
day after the letter is received". A letter naming a last day that is too early is void, and with it the
costs, so the system computes the earliest lawful last day and never prints an earlier one (LEGAL.md §2):

1. Receipt is presumed on the second delivery day after posting. Sundays, Mondays and public holidays are not
   delivery days (ordinary letters are not delivered on Mondays). Sources differ, so both numbers are
   parameters.
2. The term runs from the day after receipt for 14 days: its last day is receipt + 14.
3. A last day on a Saturday, Sunday or public holiday moves to the next day that is none (Algemene
   termijnenwet art. 1). Whether courts require this is unsettled; a later day is never void, so it is always
   applied.
4. Costs are due from the day after the last day, if the debtor has not paid by then.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from incasso.domain.calendar import SUNDAY, HolidayCalendar, default_calendar

MONDAY = 0
DEFAULT_NON_DELIVERY_WEEKDAYS: frozenset[int] = frozenset({SUNDAY, MONDAY})
DEFAULT_DELIVERY_DAYS = 2
TERM_DAYS = 14


@dataclass(frozen=True, slots=True)
class FourteenDayTerm:
    """The dates a 14-day letter posted on ``posted`` must respect."""

    posted: date
    presumed_received: date
    term_first_day: date
    term_last_day: date
    costs_due_from: date


def presumed_receipt(
    posted: date,
    *,
    calendar: HolidayCalendar | None = None,
    non_delivery_weekdays: Collection[int] = DEFAULT_NON_DELIVERY_WEEKDAYS,
    delivery_days: int = DEFAULT_DELIVERY_DAYS,
) -> date:
    """The day a letter posted on ``posted`` is presumed received: its ``delivery_days``-th delivery day.

    Weekdays use ``date.weekday()`` numbering (Monday 0 ... Sunday 6). Public holidays never count as delivery
    days, whatever the weekdays say.
    """
    if delivery_days < 1:
        raise ValueError("a letter cannot be received before the first delivery day after posting")
    if len(set(non_delivery_weekdays)) >= 7:
        raise ValueError("at least one weekday must be a delivery day")
    cal = calendar or default_calendar()
    day = posted
    remaining = delivery_days
    while remaining:
        day += timedelta(days=1)
        if day.weekday() not in non_delivery_weekdays and not cal.is_public_holiday(day):
            remaining -= 1
    return day


def fourteen_day_term(
    posted: date,
    *,
    calendar: HolidayCalendar | None = None,
    non_delivery_weekdays: Collection[int] = DEFAULT_NON_DELIVERY_WEEKDAYS,
    delivery_days: int = DEFAULT_DELIVERY_DAYS,
) -> FourteenDayTerm:
    """Presumed receipt, the term and the first day costs may be charged for a letter posted on that day."""
    cal = calendar or default_calendar()
    received = presumed_receipt(
        posted, calendar=cal, non_delivery_weekdays=non_delivery_weekdays, delivery_days=delivery_days
    )
    last_day = cal.next_atw_working_day(received + timedelta(days=TERM_DAYS))
    return FourteenDayTerm(
        posted=posted,
        presumed_received=received,
        term_first_day=received + timedelta(days=1),
        term_last_day=last_day,
        costs_due_from=last_day + timedelta(days=1),
    )


def earliest_valid_last_day(
    posted: date,
    *,
    calendar: HolidayCalendar | None = None,
    non_delivery_weekdays: Collection[int] = DEFAULT_NON_DELIVERY_WEEKDAYS,
    delivery_days: int = DEFAULT_DELIVERY_DAYS,
) -> date:
    """The earliest last day a letter posted on ``posted`` may name; the default date to print."""
    return fourteen_day_term(
        posted, calendar=calendar, non_delivery_weekdays=non_delivery_weekdays, delivery_days=delivery_days
    ).term_last_day


def is_valid_stated_last_day(
    posted: date,
    stated_last_day: date,
    *,
    calendar: HolidayCalendar | None = None,
    non_delivery_weekdays: Collection[int] = DEFAULT_NON_DELIVERY_WEEKDAYS,
    delivery_days: int = DEFAULT_DELIVERY_DAYS,
) -> bool:
    """Whether a letter posted on ``posted`` may name ``stated_last_day``.

    A day earlier than the lawful last day makes the letter void; a later day is fine.
    """
    earliest = earliest_valid_last_day(
        posted, calendar=calendar, non_delivery_weekdays=non_delivery_weekdays, delivery_days=delivery_days
    )
    return stated_last_day >= earliest
