"""Statutory (BW 6:119) and commercial (BW 6:119a) interest: the rate table and the accrual of one claim.

Conventions (LEGAL.md section 3): the interval is [anchor, end); it is split at every rate change and every
anniversary of the anchor; a segment [a, b) earns ``base x rate(a) x (b - a).days / 365`` (Actual/365, leap years
too), rounded half up to cents; at each anniversary the year's unpaid interest is added to the base
(6:119 lid 2, 6:119a lid 3); an anniversary on 29 February falls on 28 February in other years; a new rate applies
to interest already running (6:120 lid 1).
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

from incasso.domain.money import Money, MoneyError

DAYS_PER_YEAR = 365


class InterestKind(StrEnum):
    STATUTORY = "statutory"
    COMMERCIAL = "commercial"
    NONE = "none"


class RateTableError(ValueError):
    """The rate table is malformed, or has no rate for a date."""


@dataclass(frozen=True, slots=True)
class RateRow:
    start: date
    rate: Decimal  # percent per year
    confirmed: bool
    source: str

    @property
    def ratio(self) -> tuple[int, int]:
        """The rate per year as an exact integer fraction (numerator, denominator) of one."""
        fraction = Fraction(self.rate) / 100
        return fraction.numerator, fraction.denominator


@dataclass(frozen=True)
class RateTable:
    kind: InterestKind
    rows: tuple[RateRow, ...]

    starts: tuple[date, ...] = field(init=False, repr=False, compare=False)
    ratios: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.rows:
            raise RateTableError(f"the {self.kind} rate table is empty")
        starts = tuple(row.start for row in self.rows)
        if list(starts) != sorted(set(starts)):
            raise RateTableError(f"the {self.kind} rate table is not in strictly increasing date order")
        # Looked up for every interest segment: computed once here.
        object.__setattr__(self, "starts", starts)
        object.__setattr__(self, "ratios", tuple(row.ratio for row in self.rows))

    @property
    def first_date(self) -> date:
        return self.rows[0].start

    def index_on(self, day: date) -> int:
        index = bisect.bisect_right(self.starts, day) - 1
        if index < 0:
            raise RateTableError(f"no {self.kind} interest rate before {self.first_date.isoformat()}")
        return index

    def row_on(self, day: date) -> RateRow:
        return self.rows[self.index_on(day)]

    def next_change_after(self, day: date) -> date | None:
        """The first date after ``day`` on which the rate changes, if any."""
        index = bisect.bisect_right(self.starts, day)
        return self.starts[index] if index < len(self.starts) else None

    def changes_between(self, start: date, end: date) -> list[date]:
        """Dates strictly after ``start`` and strictly before ``end`` on which the rate changes."""
        return [change for change in self.starts if start < change < end]


def parse_rate_tables(document: Mapping[str, Any]) -> dict[InterestKind, RateTable]:
    tables: dict[InterestKind, RateTable] = {}
    for kind in (InterestKind.STATUTORY, InterestKind.COMMERCIAL):
        try:
            rows = tuple(
                RateRow(
                    start=date.fromisoformat(raw["from"]),
                    rate=Decimal(raw["rate"]),
                    confirmed=bool(raw["confirmed"]),
                    source=str(raw["source"]),
                )
                for raw in document[kind.value]
            )
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise RateTableError(f"the {kind} rate table is malformed: {exc!r}") from exc
        tables[kind] = RateTable(kind, rows)
    return tables


@cache
def shipped_rate_tables() -> dict[InterestKind, RateTable]:
    """The rate tables that ship with the code (``incasso/domain/data/interest_rates.json``)."""
    text = resources.files("incasso.domain.data").joinpath("interest_rates.json").read_text(encoding="utf-8")
    return parse_rate_tables(json.loads(text))


def anniversary(anchor: date, years: int) -> date:
    """The anchor's anniversary ``years`` later; 29 February falls on 28 February in a common year."""
    try:
        return anchor.replace(year=anchor.year + years)
    except ValueError:
        return anchor.replace(year=anchor.year + years, day=28)


def segment_interest_exact(base: Money, rate_percent: Decimal, days: int) -> Fraction:
    """Exact interest in cents on ``base`` for ``days`` days at ``rate_percent`` per year (Actual/365)."""
    return Fraction(base.cents) * Fraction(rate_percent) * days / (100 * DAYS_PER_YEAR)


def segment_interest(base: Money, rate_percent: Decimal, days: int) -> Money:
    """The segment's interest rounded half up to cents, as LEGAL.md section 3 prescribes per segment."""
    return Money.from_exact_cents(segment_interest_exact(base, rate_percent, days), base.currency)


def _segment_interest_cents(base_cents: int, ratio: tuple[int, int], days: int) -> int:
    """``segment_interest`` in integers only (the hot path): round half up of cents x rate x days / 365."""
    numerator = base_cents * ratio[0] * days
    denominator = ratio[1] * DAYS_PER_YEAR
    return (2 * numerator + denominator) // (2 * denominator)


@dataclass(frozen=True, slots=True)
class Segment:
    start: date
    end: date
    base: Money
    rate: RateRow
    interest: Money
    capitalised_at_end: bool


class InterestAccount:
    """The interest of one claim as it runs: the base, the unpaid interest of the running year, and the cursor.

    Capitalised interest is kept apart from the original principal because payments to principal take it first
    and collection costs are computed over the original principal only.

    Every quote runs this loop for every claim (the daily run, letters, statements), so the amounts are kept as
    integer cents inside and handed out as ``Money``; the segments are recorded as plain tuples and built into
    ``Segment`` values only when someone asks for them.
    """

    def __init__(self, *, principal: Money, anchor: date, table: RateTable | None) -> None:
        self.currency = principal.currency
        self._original = principal.cents
        self._capitalised = 0
        self._interest = 0
        self.anchor = anchor
        self.table = table
        self.cursor = anchor
        self._years_passed = 0
        self._next_anniversary = anniversary(anchor, 1)
        # (start, end, base cents, rate-row index, interest cents, capitalised at end)
        self._segments: list[tuple[date, date, int, int, int, bool]] = []
        self._rows_used: set[int] = set()  # the rate-row indices of the segments (for the quote's notices)

    @property
    def original(self) -> Money:
        return Money(self._original, self.currency)

    @property
    def capitalised(self) -> Money:
        return Money(self._capitalised, self.currency)

    @property
    def interest(self) -> Money:
        return Money(self._interest, self.currency)

    @property
    def original_cents(self) -> int:
        return self._original

    @property
    def principal(self) -> Money:
        return Money(self._original + self._capitalised, self.currency)

    @property
    def segments(self) -> list[Segment]:
        if self.table is None:
            return []
        rows, currency = self.table.rows, self.currency
        return [
            Segment(start, end, Money(base, currency), rows[index], Money(earned, currency), capitalised)
            for start, end, base, index, earned, capitalised in self._segments
        ]

    def rows_used(self) -> set[RateRow]:
        """The rate rows any segment so far ran at."""
        if self.table is None:
            return set()
        rows = self.table.rows
        return {rows[index] for index in self._rows_used}

    def row_indices_used(self) -> set[int]:
        """``rows_used`` as indices into the table's rows (the hot path: no rows looked up)."""
        return self._rows_used

    def accrue_to(self, end: date) -> None:
        """Accrue interest over [cursor, end), capitalising at every anniversary up to and including ``end``."""
        table = self.table
        if table is None or end <= self.cursor:
            return
        starts, ratios = table.starts, table.ratios
        if self.cursor < starts[0]:
            table.index_on(self.cursor)  # raises: no rate before the table's first date
        while self.cursor < end:
            next_anniversary = self._next_anniversary
            stop = end if end < next_anniversary else next_anniversary
            following = bisect.bisect_right(starts, self.cursor)
            if following < len(starts) and starts[following] < stop:
                stop = starts[following]
            index = following - 1
            base = self._original + self._capitalised
            earned = _segment_interest_cents(base, ratios[index], (stop - self.cursor).days)
            self._interest += earned
            at_anniversary = stop == next_anniversary
            self._segments.append((self.cursor, stop, base, index, earned, at_anniversary))
            self._rows_used.add(index)
            if at_anniversary:
                self._capitalised += self._interest
                self._interest = 0
                self._years_passed += 1
                self._next_anniversary = anniversary(self.anchor, self._years_passed + 1)
            self.cursor = stop

    def pay_interest(self, available: Money) -> Money:
        if available.currency != self.currency:
            raise MoneyError(f"cannot combine {available.currency} and {self.currency}")
        return Money(self.pay_interest_cents(available.cents), self.currency)

    def pay_interest_cents(self, available: int) -> int:
        """``pay_interest`` in cents of the account's own currency (the quote's hot path)."""
        taken = min(available, self._interest)
        self._interest -= taken
        return taken

    def pay_principal(self, available: Money) -> Money:
        """Pay capitalised interest first, then the original principal (LEGAL.md section 4, step 2)."""
        if available.currency != self.currency:
            raise MoneyError(f"cannot combine {available.currency} and {self.currency}")
        from_capitalised, from_original = self.pay_principal_cents(available.cents)
        return Money(from_capitalised + from_original, self.currency)

    def pay_principal_cents(self, available: int) -> tuple[int, int]:
        """``pay_principal`` in cents of the account's own currency: what it took from capitalised interest and
        what from the original principal (the quote's hot path)."""
        from_capitalised = min(available, self._capitalised)
        self._capitalised -= from_capitalised
        from_original = min(available - from_capitalised, self._original)
        self._original -= from_original
        return from_capitalised, from_original
