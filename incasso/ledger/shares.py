"""The agency's shares of collected money, in basis points (1% = 100), rounded half up to cents.

Plain Python with no Django import: the same arithmetic serves a payment's split when it is booked and the
commission when it is paid out, and a reversal negates exactly what the original computed.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from incasso.domain.money import Money

FULL = 10_000  # basis points in 100%


def share_of(amount: Money, basis_points: int) -> Money:
    """``basis_points`` of ``amount``, rounded half up (away from zero, so a negated amount gives a negated share)."""
    if not 0 <= basis_points <= FULL:
        raise ValueError(f"a share is 0 to {FULL} basis points, got {basis_points}")
    # Integer arithmetic, exact: floor(|n| / FULL + 1/2) is half up on the magnitude (a Fraction costs ten times more,
    # and a statement chunk splits thousands of payments).
    exact = amount.cents * basis_points
    magnitude = (2 * abs(exact) + FULL) // (2 * FULL)
    return Money(magnitude if exact >= 0 else -magnitude, amount.currency)


@dataclass(frozen=True, slots=True)
class CommissionRates:
    """A client's commission terms on one day. The defaults apply while a client has no terms at all: the
    agency keeps the collection costs it charged (the model's default) and takes nothing else."""

    commission_on_principal_bp: int = 0
    agency_share_of_interest_bp: int = 0
    agency_share_of_costs_bp: int = FULL


@dataclass(frozen=True, slots=True)
class RatesTimeline:
    """A client's commission terms over time: each version applies from its ``valid_from`` until the next."""

    starts: tuple[date, ...] = ()
    rates: tuple[CommissionRates, ...] = ()

    @classmethod
    def of(cls, versions: Sequence[tuple[date, CommissionRates]]) -> RatesTimeline:
        ordered = sorted(versions, key=lambda version: version[0])
        return cls(tuple(start for start, _ in ordered), tuple(rates for _, rates in ordered))

    def on(self, day: date) -> CommissionRates:
        index = bisect_right(self.starts, day)
        return self.rates[index - 1] if index else CommissionRates()


@dataclass(frozen=True, slots=True)
class PaymentSplit:
    """Who owns the parts of a payment: the agency's revenue, the client's money, the debtor's overpayment."""

    agency_costs: Money
    agency_interest: Money
    client: Money
    overpayment: Money


def payment_split(
    *, to_costs: Money, to_interest: Money, to_principal: Money, overpayment: Money, rates: CommissionRates
) -> PaymentSplit:
    """Split an allocated payment. Commission on principal is not taken here but when the client is paid out,
    so the client's money shows what was collected for it until then."""
    agency_costs = share_of(to_costs, rates.agency_share_of_costs_bp)
    agency_interest = share_of(to_interest, rates.agency_share_of_interest_bp)
    client = to_costs - agency_costs + to_interest - agency_interest + to_principal
    return PaymentSplit(agency_costs, agency_interest, client, overpayment)
