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
    # Derived once per table for the accrual loop and the quote's notices. They live on the table object itself, so
    # a table replaced at run time (INCASSO_INTEREST_RATES_FILE) brings its own and nothing can go stale.
    start_ordinals: tuple[int, ...] = field(init=False, repr=False, compare=False)
    change_ordinals: tuple[int, ...] = field(init=False, repr=False, compare=False)  # after each row; see below
    segment_terms: tuple[tuple[int, int, int], ...] = field(init=False, repr=False, compare=False)
    unconfirmed_indices: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.rows:
            raise RateTableError(f"the {self.kind} rate table is empty")
        starts = tuple(row.start for row in self.rows)
        if list(starts) != sorted(set(starts)):
            raise RateTableError(f"the {self.kind} rate table is not in strictly increasing date order")
        # Looked up for every interest segment: computed once here.
        ratios = tuple(row.ratio for row in self.rows)
        object.__setattr__(self, "starts", starts)
        object.__setattr__(self, "ratios", ratios)
        start_ordinals = tuple(start.toordinal() for start in starts)
        object.__setattr__(self, "start_ordinals", start_ordinals)
        # The ordinal of the change after each row: the next row's start, or one past every date for the last row.
        object.__setattr__(self, "change_ordinals", (*start_ordinals[1:], date.max.toordinal() + 1))
        object.__setattr__(self, "segment_terms", tuple(_segment_terms(ratio) for ratio in ratios))
        unconfirmed = tuple(index for index, row in enumerate(self.rows) if row.confirmed is False)
        object.__setattr__(self, "unconfirmed_indices", unconfirmed)

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
    """``segment_interest`` in integers only: round half up of cents x rate x days / 365."""
    twice_numerator, denominator, twice_denominator = _segment_terms(ratio)
    return (base_cents * days * twice_numerator + denominator) // twice_denominator


def _segment_terms(ratio: tuple[int, int]) -> tuple[int, int, int]:
    """The constants of ``_segment_interest_cents`` for one rate (2 x numerator, denominator x 365, twice that), so
    the accrual loop computes a segment as ``(base x days x terms[0] + terms[1]) // terms[2]``."""
    denominator = ratio[1] * DAYS_PER_YEAR
    return 2 * ratio[0], denominator, 2 * denominator


def _anniversary_ordinal(anchor: date, years: int) -> int:
    """``anniversary`` as an ordinal, in one call for the common case (the accrual loop asks this every year)."""
    try:
        return anchor.replace(year=anchor.year + years).toordinal()
    except ValueError:
        return anniversary(anchor, years).toordinal()


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
    integer cents and the dates as ordinals inside and handed out as ``Money`` and ``date``; the segments are
    recorded as plain tuples (or not at all, with ``keep_segments=False``, as the quote needs only the totals) and
    built into ``Segment`` values only when someone asks for them.
    """

    def __init__(self, *, principal: Money, anchor: date, table: RateTable | None, keep_segments: bool = True) -> None:
        self.currency = principal.currency
        self._original = principal.cents
        self._capitalised = 0
        self._interest = 0
        self.anchor = anchor
        self.table = table
        self._cursor = self._anchor_ordinal = anchor.toordinal()
        self._years_passed = 0
        self._next_anniversary = _anniversary_ordinal(anchor, 1)
        # The rate row in force at the cursor (-1 before the table's first date) and the ordinal of the next change.
        self._index = -1
        self._next_change = self._cursor
        if table is not None:
            self._index = bisect.bisect_right(table.start_ordinals, self._cursor) - 1
            self._next_change = table.change_ordinals[self._index] if self._index >= 0 else table.start_ordinals[0]
        # (start, end ordinals, base cents, rate-row index, interest cents, capitalised at end)
        self._segments: list[tuple[int, int, int, int, int, bool]] | None = [] if keep_segments else None

    @property
    def cursor(self) -> date:
        """The day up to which (exclusive) interest has been accrued."""
        return date.fromordinal(self._cursor)

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
        if self._segments is None:
            raise ValueError("this account was made with keep_segments=False")
        if self.table is None:
            return []
        rows, currency, day = self.table.rows, self.currency, date.fromordinal
        return [
            Segment(day(start), day(end), Money(base, currency), rows[index], Money(earned, currency), capitalised)
            for start, end, base, index, earned, capitalised in self._segments
        ]

    def rows_used(self) -> set[RateRow]:
        """The rate rows any segment so far ran at."""
        if self.table is None:
            return set()
        rows = self.table.rows
        return {rows[index] for index in self.row_indices_used()}

    def row_indices_used(self) -> set[int]:
        """``rows_used`` as indices into the table's rows."""
        span = self.row_index_span()
        return set() if span is None else set(range(span[0], span[1] + 1))

    def row_index_span(self) -> tuple[int, int] | None:
        """The first and last rate-row index any segment ran at, or None before any interest ran.

        Accrual covers [anchor, cursor) without gaps and splits at every rate change, so the rows used are exactly
        the rows from the one in force at the anchor to the one in force on the day before the cursor.
        """
        table = self.table
        if table is None or self._cursor <= self._anchor_ordinal:
            return None
        first = bisect.bisect_right(table.start_ordinals, self._anchor_ordinal) - 1
        last = self._index - 1 if table.start_ordinals[self._index] == self._cursor else self._index
        return first, last

    def accrue_to(self, end: date) -> None:
        """Accrue interest over [cursor, end), capitalising at every anniversary up to and including ``end``."""
        self.accrue_to_ordinal(end.toordinal())

    def accrue_to_ordinal(self, end: int) -> None:
        """``accrue_to`` with the day as its ordinal (the quote's hot path: one conversion for every claim)."""
        table = self.table
        cursor = self._cursor
        if table is None or end <= cursor:
            return
        index = self._index
        if index < 0:
            table.index_on(self.cursor)  # raises: no rate before the table's first date
        terms, changes = table.segment_terms, table.change_ordinals
        change, anniversary_day = self._next_change, self._next_anniversary
        original, capitalised, interest = self._original, self._capitalised, self._interest
        segments = self._segments
        while cursor < end:
            stop = end if end < anniversary_day else anniversary_day
            if change < stop:
                stop = change
            base = original + capitalised
            twice_numerator, denominator, twice_denominator = terms[index]  # _segment_interest_cents, inlined
            earned = (base * (stop - cursor) * twice_numerator + denominator) // twice_denominator
            interest += earned
            at_anniversary = stop == anniversary_day
            if segments is not None:
                segments.append((cursor, stop, base, index, earned, at_anniversary))
            if at_anniversary:
                capitalised += interest
                interest = 0
                self._years_passed += 1
                anniversary_day = _anniversary_ordinal(self.anchor, self._years_passed + 1)
            if stop == change:
                index += 1
                change = changes[index]
            cursor = stop
        self._cursor, self._index, self._next_change, self._next_anniversary = cursor, index, change, anniversary_day
        self._capitalised, self._interest = capitalised, interest

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
