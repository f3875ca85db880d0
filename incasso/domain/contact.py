"""When a debtor may be approached (LEGAL.md section 8).

Besluit kwaliteit incassodienstverlening art. 4.2 (Wki, in force 1 April 2024) forbids approaching a debtor -
electronically, physically or by phone - between 20:00 and 07:00, on a Sunday, or on a public holiday of the
Algemene termijnenwet art. 3 including days declared equal to one by decree. Saturday is allowed. The hours
are Dutch wall-clock time, so every moment is judged in Europe/Amsterdam whatever zone it arrives in; a naive
datetime is refused because its zone would be a guess.

Anything produced outside those hours (a nightly run's e-mails, say) waits for ``next_allowed_contact``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from incasso.domain.calendar import SUNDAY, HolidayCalendar, default_calendar

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CONTACT_FROM = time(7, 0)
CONTACT_UNTIL = time(20, 0)  # exclusive: 20:00 itself is already too late


def _local(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("contact times must be timezone-aware datetimes")
    return at.astimezone(AMSTERDAM)


def is_contact_day(d: date, calendar: HolidayCalendar | None = None) -> bool:
    """Whether ``d`` (a Dutch calendar day) allows contact at all: not a Sunday, not a public holiday."""
    cal = calendar or default_calendar()
    return d.weekday() != SUNDAY and not cal.is_public_holiday(d)


def is_contact_allowed(at: datetime, calendar: HolidayCalendar | None = None) -> bool:
    """Whether a debtor may be approached at ``at`` (art. 4.2): 07:00-20:00 Dutch time on a contact day."""
    local = _local(at)
    return CONTACT_FROM <= local.time() < CONTACT_UNTIL and is_contact_day(local.date(), calendar)


def next_allowed_contact(at: datetime, calendar: HolidayCalendar | None = None) -> datetime:
    """The earliest moment at or after ``at`` when a debtor may be approached, in Amsterdam time.

    Within the allowed hours of a contact day that is ``at`` itself; otherwise 07:00 on the first contact day
    still ahead. A Saturday 23:00 e-mail therefore waits until Monday 07:00, or Tuesday when Monday is a
    holiday.
    """
    cal = calendar or default_calendar()
    local = _local(at)
    if is_contact_allowed(local, cal):
        return local
    day = local.date() if local.time() < CONTACT_FROM else local.date() + timedelta(days=1)
    while not is_contact_day(day, cal):
        day += timedelta(days=1)
    # 07:00 exists on every Amsterdam day: clocks change between 02:00 and 03:00.
    return datetime.combine(day, CONTACT_FROM, tzinfo=AMSTERDAM)
