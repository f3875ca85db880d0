"""Calendar-month arithmetic and the GDPR deadlines built on it (LEGAL.md section 6).

A month ends on the same day number of the following month, or on that month's last day when it has no such
day: a request received on 31 January is due on 28 (or 29) February. Unlike the Atw terms of the 14-day
letter, these deadlines are not moved off weekends: the GDPR is EU law, and the earlier date is the one that
is always safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

DSR_ANSWER_MONTHS = 1
DSR_EXTENDED_MONTHS = 3
BREACH_NOTIFICATION_WINDOW = timedelta(hours=72)


def _last_day_of_month(year: int, month: int) -> int:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return (first_of_next - timedelta(days=1)).day


def add_months(d: date, n: int) -> date:
    """``d`` moved by ``n`` calendar months (negative: back), clamped to the month's last day if needed."""
    month_index = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(month_index, 12)
    month = month0 + 1
    return date(year, month, min(d.day, _last_day_of_month(year, month)))


@dataclass(frozen=True, slots=True)
class DsrDeadline:
    """When a data-subject request received on ``received`` must be answered (GDPR art. 12(3)).

    ``due``: one month after receipt. ``extended_due``: three months after receipt, allowed only for complex
    or numerous requests and only if the person is told so, with reasons, by ``extension_notice_by`` (the
    original due date).
    """

    received: date
    due: date
    extended_due: date
    extension_notice_by: date


def dsr_deadline(received: date) -> DsrDeadline:
    """The answer deadlines of a data-subject request (GDPR art. 12(3)); both count from receipt."""
    due = add_months(received, DSR_ANSWER_MONTHS)
    return DsrDeadline(
        received=received,
        due=due,
        extended_due=add_months(received, DSR_EXTENDED_MONTHS),
        extension_notice_by=due,
    )


def breach_authority_deadline(aware_at: datetime) -> datetime:
    """The moment by which the supervisory authority must be told of a breach: 72 hours after awareness.

    GDPR art. 33(1). The hours are elapsed time, so the sum is done in UTC (adding to a local time would make
    the window 71 or 73 hours across a daylight-saving change); the result is given in ``aware_at``'s own
    zone.
    """
    if aware_at.tzinfo is None or aware_at.utcoffset() is None:
        raise ValueError("breach_authority_deadline needs a timezone-aware datetime")
    deadline_utc = aware_at.astimezone(UTC) + BREACH_NOTIFICATION_WINDOW
    return deadline_utc.astimezone(aware_at.tzinfo)
