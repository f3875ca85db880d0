"""When a claim becomes time-barred (verjaring, BW Book 3 title 11; LEGAL.md section 5).

Periods:

- payment under a contract: 5 years (art. 3:307); periodic payments and interest: 5 years (art. 3:308);
  a consumer's purchase price, and gas, electricity and heat supplied to a consumer: 2 years (art. 7:28);
- enforcing a judgment: 20 years from the day after the judgment (art. 3:324 lid 1). Interest and periodic
  amounts that fall due after the judgment are separate claims of kind PERIODIC with their own due date
  (art. 3:324 lid 2).

A period starts at the beginning of the day after the claim fell due and is interrupted (gestuit) by a written
demand or reservation (art. 3:317), legal action (art. 3:316) or an acknowledgement (art. 3:318). An
interruption on day X starts a new period on X + 1, as long as the original one but never longer than 5 years
(art. 3:319 lid 1-2); this cap applies to judgments too, so an interrupted 20-year period becomes 5 years (HR
30-09-2016, ECLI:NL:HR:2016:2222). Only an interruption while a period is running counts: once a claim is
time-barred, a later letter cannot revive it.

Date convention. A period of N years starting on day S ends when the day ``add_months(S, 12 * N)`` begins;
that day is what ``limitation_date`` returns, "the first day on which the claim is time-barred".
``add_months`` clamps to the month's end, so a period starting on 29 February ends when 28 February begins in
a year without 29 February. Reading the law as running through the whole of 28 February would bar the claim a
day later; the earlier date is chosen on purpose, so the system stops collecting a day early rather than a day
late. For the same reason the Algemene termijnenwet extension off weekends (art. 1) is not applied to
limitation dates.

For legal action, pass the day the proceedings ended without a judgment awarding the claim (art. 3:316 lid 1,
3:319 lid 1); when the claim is awarded, pass ``judgment_date`` instead.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from incasso.domain.deadlines import add_months

MAX_INTERRUPTED_YEARS = 5
DEFAULT_WARN_DAYS = 90


class LimitationKind(enum.Enum):
    """The kind of claim, which fixes the length of its limitation period."""

    CONTRACT = "contract"
    CONSUMER_PURCHASE = "consumer_purchase"
    PERIODIC = "periodic"
    JUDGMENT = "judgment"

    @property
    def years(self) -> int:
        """The length of the first period in years (art. 3:307, 3:308, 7:28, 3:324)."""
        return _YEARS[self]


_YEARS: dict[LimitationKind, int] = {
    LimitationKind.CONTRACT: 5,
    LimitationKind.CONSUMER_PURCHASE: 2,
    LimitationKind.PERIODIC: 5,
    LimitationKind.JUDGMENT: 20,
}


class ClaimType(enum.Enum):
    """What a claim is for, as the client says at intake; with the debtor's kind it fixes the limitation kind."""

    CONTRACT = "contract"  # any other payment under a contract: services, work, rent, subscriptions, loans
    PURCHASE = "purchase"  # the price of goods sold (koop)
    ENERGY = "energy"  # gas, electricity or heat supplied


def limitation_kind_for(claim_type: ClaimType, *, consumer: bool) -> LimitationKind:
    """The limitation kind of a new claim (LEGAL.md section 5).

    Art. 7:28 (2 years) covers the purchase price owed by a consumer, and gas, electricity and heat supplied to
    a consumer; a buyer acting in the course of a business or profession (a company or a sole trader) owes the
    price under the general rule of art. 3:307 (5 years). Everything else is payment under a contract: 5 years
    (art. 3:307; periodic payments under art. 3:308 have the same length).
    """
    if consumer and claim_type in {ClaimType.PURCHASE, ClaimType.ENERGY}:
        return LimitationKind.CONSUMER_PURCHASE
    return LimitationKind.CONTRACT


class InterruptionKind(enum.Enum):
    """The acts that interrupt a running limitation period."""

    WRITTEN_DEMAND = "written_demand"  # art. 3:317 lid 1: aanmaning
    WRITTEN_RESERVATION = "written_reservation"  # art. 3:317 lid 1: ondubbelzinnig voorbehoud
    ACKNOWLEDGEMENT = "acknowledgement"  # art. 3:318
    LEGAL_ACTION = "legal_action"  # art. 3:316


@dataclass(frozen=True, slots=True)
class Interruption:
    """An interrupting act on day ``on``; a new period starts the day after."""

    on: date
    kind: InterruptionKind


def limitation_date(
    due_date: date,
    kind: LimitationKind,
    interruptions: Iterable[Interruption] = (),
    judgment_date: date | None = None,
) -> date:
    """The first day on which a claim that fell due on ``due_date`` is time-barred.

    For ``kind=JUDGMENT``, ``due_date`` is the day of the judgment. For another kind that was later awarded by
    a judgment, pass ``judgment_date``: the judgment replaces the original period with 20 years from the day
    after it, and only interruptions after the judgment still matter.
    """
    if kind is LimitationKind.JUDGMENT and judgment_date is not None:
        raise ValueError("for kind JUDGMENT the due_date is the judgment date; do not pass judgment_date too")
    if judgment_date is not None:
        start, years = judgment_date + timedelta(days=1), LimitationKind.JUDGMENT.years
    else:
        start, years = due_date + timedelta(days=1), kind.years
    barred_from = add_months(start, 12 * years)
    renewed_years = min(years, MAX_INTERRUPTED_YEARS)
    for interruption in sorted(interruptions, key=lambda i: i.on):
        if interruption.on < start:
            continue  # nothing was running yet: before the due date, or superseded by the judgment
        if interruption.on >= barred_from:
            break  # the claim is already time-barred; a later act cannot revive it
        start = interruption.on + timedelta(days=1)
        barred_from = add_months(start, 12 * renewed_years)
    return barred_from


def is_time_barred(limitation_date: date, today: date) -> bool:
    """Whether the claim is time-barred on ``today`` (the limitation date has begun)."""
    return today >= limitation_date


def is_near_limitation(limitation_date: date, today: date, warn_days: int = DEFAULT_WARN_DAYS) -> bool:
    """Whether a claim not yet time-barred will be within ``warn_days`` days: time to interrupt it.

    A claim that is already time-barred is not "near"; ask ``is_time_barred`` for that.
    """
    if warn_days < 0:
        raise ValueError("warn_days cannot be negative")
    return today < limitation_date and (limitation_date - today).days <= warn_days
