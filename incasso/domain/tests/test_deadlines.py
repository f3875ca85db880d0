"""Calendar months and GDPR deadlines (LEGAL.md section 6 and vectors ``dsr_deadline``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.deadlines import DsrDeadline, add_months, breach_authority_deadline, dsr_deadline
from incasso.domain.tests.vectors import legal_vectors

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize("vector", legal_vectors()["dsr_deadline"], ids=lambda v: v["received"])
def test_shared_vectors(vector: dict[str, Any]) -> None:
    deadline = dsr_deadline(date.fromisoformat(vector["received"]))
    assert deadline.due == date.fromisoformat(vector["due"])
    assert deadline.extended_due == date.fromisoformat(vector["extended_due"])


def test_received_31_january_in_a_leap_year_is_due_29_february() -> None:
    assert dsr_deadline(date(2024, 1, 31)) == DsrDeadline(
        received=date(2024, 1, 31),
        due=date(2024, 2, 29),
        extended_due=date(2024, 4, 30),
        extension_notice_by=date(2024, 2, 29),
    )


def test_extension_counts_from_receipt_not_from_the_first_due_date() -> None:
    # 31 January + 1 month = 28 February, but the extension runs to 30 April, not 28 April.
    assert dsr_deadline(date(2025, 1, 31)).extended_due == date(2025, 4, 30)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 3, 10), 1, date(2025, 4, 10)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 8, 31), 1, date(2025, 9, 30)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
        (date(2025, 5, 5), 0, date(2025, 5, 5)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    st.integers(min_value=-1200, max_value=1200),
)
def test_add_months_keeps_the_day_or_clamps_to_month_end(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    if result.day != start.day:
        assert result.day < start.day
        assert (result + timedelta(days=1)).day == 1  # clamped: the month's last day


def test_breach_deadline_is_72_hours_later() -> None:
    aware = datetime(2025, 6, 2, 14, 30, tzinfo=UTC)
    assert breach_authority_deadline(aware) == datetime(2025, 6, 5, 14, 30, tzinfo=UTC)


def test_breach_deadline_counts_elapsed_hours_across_a_dst_change() -> None:
    # Clocks go forward at 02:00 on Sunday 30 March 2025: 72 real hours later the clock shows an hour more.
    aware = datetime(2025, 3, 29, 12, 0, tzinfo=AMSTERDAM)
    deadline = breach_authority_deadline(aware)
    assert deadline == datetime(2025, 4, 1, 13, 0, tzinfo=AMSTERDAM)
    assert deadline.tzinfo is AMSTERDAM
    assert deadline.astimezone(UTC) - aware.astimezone(UTC) == timedelta(hours=72)


def test_breach_deadline_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        breach_authority_deadline(datetime(2025, 6, 2, 14, 30))
