"""How long data is kept, per purpose, counted from the event that starts the clock (LEGAL.md §7, SPEC P-2).

GDPR art. 5(1)(e) forbids keeping personal data longer than its purpose needs, while some laws require a minimum:
bookkeeping and invoicing records 7 years (AWR art. 52 lid 4; the seed document counts them from the end of the
calendar year in which the financial year ended), anti-money-laundering records 5 years after the transaction or
the end of the relationship (Wwft art. 33 lid 3). The other periods are the seed document's own choices.

Date convention, shared with ``limitation``: a period of N months from trigger day T ends when the day
``add_months(T, N)`` begins, and that is the day :func:`retention_end` returns, "the first day on which the data
may be removed". ``add_months`` clamps to a month's last day (29 February + 12 months = 28 February).

A legal hold (data needed to establish, exercise or defend a legal claim, GDPR art. 17(3)(e)) keeps data past
that day until the hold is lifted; it never shortens a period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from incasso.domain.deadlines import add_months


class Purpose(StrEnum):
    """Why the data is held; each purpose has its own period and its own trigger event."""

    COLLECTION_CASE = "collection_case"
    CLIENT_RELATIONSHIP = "client_relationship"
    CREDIT_ASSESSMENT = "credit_assessment"
    AML = "aml"
    MARKETING = "marketing"
    NEWSLETTER = "newsletter"
    BOOKKEEPING = "bookkeeping"


@dataclass(frozen=True, slots=True)
class RetentionPeriod:
    """A period in months and/or years.

    With ``end_of_calendar_year`` the period runs not from the trigger but from the end of the calendar year in
    which the financial year of the trigger ended: the bookkeeping rule.
    """

    months: int = 0
    years: int = 0
    end_of_calendar_year: bool = False

    def __post_init__(self) -> None:
        if self.months < 0 or self.years < 0:
            raise ValueError("a retention period cannot be negative")

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months


DEFAULT_PERIODS: Mapping[Purpose, RetentionPeriod] = MappingProxyType(
    {
        Purpose.COLLECTION_CASE: RetentionPeriod(months=36),
        Purpose.CLIENT_RELATIONSHIP: RetentionPeriod(months=36),
        Purpose.CREDIT_ASSESSMENT: RetentionPeriod(months=36),
        Purpose.AML: RetentionPeriod(years=5),
        Purpose.MARKETING: RetentionPeriod(months=36),
        Purpose.NEWSLETTER: RetentionPeriod(months=0),
        Purpose.BOOKKEEPING: RetentionPeriod(years=7, end_of_calendar_year=True),
    }
)

# The event each default period counts from, as the register of processing activities states it.
TRIGGER_EVENTS: Mapping[Purpose, str] = MappingProxyType(
    {
        Purpose.COLLECTION_CASE: "the case is closed",
        Purpose.CLIENT_RELATIONSHIP: "the relationship and all mutual claims ended",
        Purpose.CREDIT_ASSESSMENT: "the relationship and all mutual claims ended",
        Purpose.AML: "the transaction, or the end of the business relationship",
        Purpose.MARKETING: "the last contact",
        Purpose.NEWSLETTER: "the person unsubscribed",
        Purpose.BOOKKEEPING: "the end of the financial year the record belongs to",
    }
)


def retention_end(trigger: date, period: RetentionPeriod, *, fiscal_year_end: date | None = None) -> date:
    """The first day on which data whose clock started on ``trigger`` may be removed.

    For an end-of-calendar-year period, ``fiscal_year_end`` is the last day of the financial year the record
    belongs to; without it the financial year is taken to be the calendar year of ``trigger``. Other periods
    ignore it.
    """
    if not period.end_of_calendar_year:
        return add_months(trigger, period.total_months)
    if fiscal_year_end is not None and fiscal_year_end < trigger:
        raise ValueError("a record cannot belong to a financial year that ended before the record's date")
    year_ended_in = (fiscal_year_end or trigger).year
    return add_months(date(year_ended_in + 1, 1, 1), period.total_months)


def is_expired(
    trigger: date,
    period: RetentionPeriod,
    today: date,
    *,
    legal_hold_until: date | None = None,
    fiscal_year_end: date | None = None,
) -> bool:
    """Whether the data may be removed on ``today``.

    ``legal_hold_until`` is the last day a legal hold keeps the data; it is removable from the day after at the
    earliest, however long ago its own period ended.
    """
    removable_from = retention_end(trigger, period, fiscal_year_end=fiscal_year_end)
    if legal_hold_until is not None:
        removable_from = max(removable_from, legal_hold_until + timedelta(days=1))
    return today >= removable_from
