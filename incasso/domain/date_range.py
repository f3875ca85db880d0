"""The days a claim, a payment or a letter can be dated in this business.

Every door that takes a date from outside (a form, a CSV or e-invoice row, the API) refuses one outside this range
as the sender's error: far beyond it the date arithmetic downstream (20-year limitation periods, interest by the
day, 14-day terms) runs off the end of Python's calendar (year 9999) and would fail where the date is used, not
where it came in.
"""

from __future__ import annotations

from datetime import date

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def date_plausible(day: date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE
