"""The income a payment arrangement must leave a debtor: the protected income (beslagvrije voet; LEGAL.md §9).

Since 1 January 2021 (Wet vereenvoudiging beslagvrije voet; Rv art. 475da-475db) the protected income is 95% of
the social-assistance norm (Participatiewet art. 20-22) that fits the debtor's household, holiday allowance
included, adjusted for housing costs and health premium. An arrangement offer must leave the debtor at least this
much when the income is known, so an understated protected income is the error to avoid.

The official calculation (the government's rekenregels) has more branches than this module. The simplification,
chosen so that it never protects less than the table's own figures:

- the base is 95% of the norm of the household's row in force on the day, rounded half up to cents once, at the
  end;
- housing costs above the row's ``housing_norm`` raise it by the excess, without the statutory maximum;
- a health premium above the row's ``standard_health_premium`` raises it by the excess;
- it never exceeds the net income (nothing more can be protected than there is);
- for a couple, ``net_income``, housing costs and premium are the household's, both partners together;
- the norms are those for ages 21 to the state pension age; other ages are not covered yet.

The figures are data (``incasso/domain/data/protected_income.json``), versioned, each row with its source and a
``confirmed`` flag; using an unconfirmed row, a possibly outdated one or an estimate for a missing input yields a
warning with the result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from incasso.domain.money import CALCULATION_CONTEXT, Money, MoneyError

PROTECTED_SHARE = Decimal("0.95")


class Household(StrEnum):
    SINGLE = "single"
    SINGLE_PARENT = "single_parent"
    COUPLE = "couple"
    COUPLE_WITH_CHILDREN = "couple_with_children"


class ProtectedIncomeTableError(ValueError):
    """The table is malformed, or has no norm for a household on a date."""


@dataclass(frozen=True, slots=True)
class NormRow:
    """The monthly figures for one household from ``valid_from`` until the household's next row."""

    valid_from: date
    household: Household
    norm: Money
    housing_norm: Money
    standard_health_premium: Money
    confirmed: bool
    source: str
    note: str = ""


@dataclass(frozen=True)
class ProtectedIncomeTable:
    version: str
    rows: tuple[NormRow, ...]

    def __post_init__(self) -> None:
        keys = [(row.household, row.valid_from) for row in self.rows]
        if len(set(keys)) != len(keys):
            raise ProtectedIncomeTableError("the protected-income table has two rows for one household and date")
        for row in self.rows:
            if any(amount.is_negative() for amount in (row.norm, row.housing_norm, row.standard_health_premium)):
                raise ProtectedIncomeTableError(f"negative amount in the {row.household} row of {row.valid_from}")

    def row_on(self, day: date, household: Household) -> NormRow:
        candidates = [row for row in self.rows if row.household is household and row.valid_from <= day]
        if not candidates:
            raise ProtectedIncomeTableError(f"no {household} norm on {day.isoformat()} in table {self.version}")
        return max(candidates, key=lambda row: row.valid_from)


# The warnings as codes, so the services can word them in Dutch or English (``ProtectedIncome.notes``).
NOTE_NORM_UNCONFIRMED = "norm_unconfirmed"
NOTE_NORM_MAY_BE_STALE = "norm_may_be_stale"
NOTE_HOUSING_UNKNOWN = "housing_unknown"
NOTE_PREMIUM_UNKNOWN = "premium_unknown"


@dataclass(frozen=True, slots=True)
class ReviewNote:
    """Something a person must look at, as data: ``code`` and the values its wording needs."""

    code: str
    values: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class ProtectedIncome:
    amount: Money  # per month
    rule_version: str  # table version, row date and household: enough to reproduce the figure
    warnings: tuple[str, ...]  # in English
    notes: tuple[ReviewNote, ...] = ()  # the same warnings as codes, in the same order


def parse_protected_income_table(document: Mapping[str, Any]) -> ProtectedIncomeTable:
    try:
        rows = tuple(
            NormRow(
                valid_from=date.fromisoformat(raw["from"]),
                household=Household(raw["household"]),
                norm=Money.parse(raw["norm"]),
                housing_norm=Money.parse(raw["housing_norm"]),
                standard_health_premium=Money.parse(raw["standard_health_premium"]),
                confirmed=bool(raw["confirmed"]),
                source=str(raw["source"]),
                note=str(raw.get("note", "")),
            )
            for raw in document["rows"]
        )
        version = str(document["version"])
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise ProtectedIncomeTableError(f"the protected-income table is malformed: {exc!r}") from exc
    return ProtectedIncomeTable(version, rows)


@cache
def shipped_protected_income_table() -> ProtectedIncomeTable:
    """The table that ships with the code (``incasso/domain/data/protected_income.json``)."""
    text = resources.files("incasso.domain.data").joinpath("protected_income.json").read_text(encoding="utf-8")
    return parse_protected_income_table(json.loads(text))


def _next_indexation(day: date) -> date:
    """The norms follow the minimum wage, indexed every 1 January and 1 July (Participatiewet art. 38)."""
    return date(day.year, 7, 1) if day.month < 7 else date(day.year + 1, 1, 1)


def _excess(actual: Money | None, norm: Money, what: str) -> Money:
    if actual is None:
        return Money.zero(norm.currency)
    if actual.is_negative():
        raise MoneyError(f"{what} cannot be negative")
    return (actual - norm) if actual > norm else Money.zero(norm.currency)


def protected_income(
    *,
    on: date,
    household: Household,
    net_income: Money,
    housing_costs: Money | None,
    health_premium: Money | None,
    table: ProtectedIncomeTable,
) -> ProtectedIncome:
    """The monthly income a debtor with ``net_income`` must keep on ``on`` (simplified; see the module docstring).

    ``housing_costs`` and ``health_premium`` are monthly; ``None`` means unknown, which applies no raise and says
    so in a warning, because the result may then protect too little.
    """
    if net_income.is_negative():
        raise MoneyError("net income cannot be negative")
    row = table.row_on(on, household)
    warnings: list[str] = []
    notes: list[ReviewNote] = []
    if not row.confirmed:
        warnings.append(
            f"the {household} norm of {row.valid_from.isoformat()} is unconfirmed (source: {row.source}); "
            "do not rely on this protected income until an administrator confirms it"
        )
        notes.append(
            ReviewNote(NOTE_NORM_UNCONFIRMED, {"household": household, "from": row.valid_from, "source": row.source})
        )
    if on >= _next_indexation(row.valid_from):
        warnings.append(
            f"the newest {household} norm in table {table.version} is from {row.valid_from.isoformat()}; norms "
            "change every 1 January and 1 July, so this protected income may be too low"
        )
        notes.append(
            ReviewNote(NOTE_NORM_MAY_BE_STALE, {"household": household, "from": row.valid_from, "table": table.version})
        )
    if housing_costs is None:
        warnings.append("housing costs unknown: no housing raise applied, so this protected income may be too low")
        notes.append(ReviewNote(NOTE_HOUSING_UNKNOWN, {}))
    if health_premium is None:
        warnings.append("health premium unknown: no premium raise applied, so this protected income may be too low")
        notes.append(ReviewNote(NOTE_PREMIUM_UNKNOWN, {}))
    raises = _excess(housing_costs, row.housing_norm, "housing costs") + _excess(
        health_premium, row.standard_health_premium, "the health premium"
    )
    with localcontext(CALCULATION_CONTEXT):
        exact = row.norm.amount * PROTECTED_SHARE + raises.amount
    amount = Money.from_decimal(exact, net_income.currency).min(net_income)
    return ProtectedIncome(
        amount=amount,
        rule_version=f"{table.version}/{row.valid_from.isoformat()}/{household}",
        warnings=tuple(warnings),
        notes=tuple(notes),
    )


def max_affordable_instalment(net_income: Money, protected: ProtectedIncome | Money) -> Money:
    """The largest monthly instalment that leaves the debtor the protected income: never below zero."""
    protected_amount = protected.amount if isinstance(protected, ProtectedIncome) else protected
    left = net_income - protected_amount
    return Money.zero(net_income.currency) if left.is_negative() else left
