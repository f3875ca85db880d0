"""Whether, from when and how much collection costs a case may carry: the rules around the scale (LEGAL.md §1).

``collection_costs`` computes the scale (Besluit BIK art. 2); this module decides what goes into it and what
replaces it:

- Consumers (BW 6:96 lid 5-6): the scale is mandatory and nothing is due without a valid 14-day letter whose term
  passed unpaid. If the debtor pays part within the term, the base is what is still unpaid when the term ends
  (HR 25-11-2016, ECLI:NL:HR:2016:2704), so callers pass the principals unpaid on ``costs_due_from``.
- Business debtors (6:96 lid 4): costs are due without demand from the day after the payment term; the scale is
  the default, a contractual clause may set another amount.
- The base is the unpaid original principal; interest is not part of it, and interest capitalised after a full
  year only where the client opted in (sources differ).
- VAT uplift (Besluit BIK art. 2 lid 3): only where the creditor cannot deduct VAT and says so in the demand.
- Wki cap for small recurring claims (in force 1 October 2024, as reported): a configurable rule, off until its
  exact text is confirmed. Charging less than the scale is never unlawful, so switching it on is always safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from incasso.domain.collection_costs import collection_costs
from incasso.domain.deadlines import add_months
from incasso.domain.fourteen_day_letter import FourteenDayTerm
from incasso.domain.money import Money, MoneyError, money_sum

DEFAULT_VAT_RATE = Decimal("0.21")
NOTHING_CHARGED = Money.zero()
SMALL_CLAIM_CAP_SOURCE = (
    "Wki, reported in force 1 October 2024: at most EUR 140 collection costs per six months for claims under "
    "EUR 266.67 (LEGAL.md section 1). Unconfirmed: check the law's text before enabling."
)


class DebtorCategory(StrEnum):
    """Consumer: a natural person not acting in a business or profession (6:96 lid 6); otherwise business."""

    CONSUMER = "consumer"
    BUSINESS = "business"


def collection_costs_due_from(
    *, category: DebtorCategory, payment_due: date, fourteen_day_term: FourteenDayTerm | None
) -> date | None:
    """The first day collection costs may be charged, or ``None`` when they may not be charged at all.

    ``payment_due`` is the last day of the payment term. A consumer owes costs only after a 14-day letter, and
    that letter counts only when the debtor was already in default when it was sent (6:96 lid 6), which is at
    the earliest the day after ``payment_due``; an earlier letter is no letter. A business owes them from the day
    after the payment term, without any demand (6:96 lid 4).
    """
    if category is DebtorCategory.BUSINESS:
        return payment_due + timedelta(days=1)
    if fourteen_day_term is None or fourteen_day_term.posted <= payment_due:
        return None
    return fourteen_day_term.costs_due_from


@dataclass(frozen=True, slots=True)
class SmallClaimCap:
    """The Wki cap on costs for small recurring claims; disabled unless a client turns it on.

    A claim whose base is under ``threshold`` may carry at most ``cap`` collection costs, together with the
    costs already charged to the same debtor in the preceding ``period_months`` (see :meth:`window_start`).
    Figures and scope are as reported, not as confirmed; all of them are settings.
    """

    enabled: bool = False
    cap: Money = field(default_factory=lambda: Money.parse("140.00"))
    threshold: Money = field(default_factory=lambda: Money.parse("266.67"))
    period_months: int = 6
    source: str = SMALL_CLAIM_CAP_SOURCE

    def __post_init__(self) -> None:
        if self.cap.is_negative() or self.threshold.is_negative():
            raise MoneyError("the small-claim cap and threshold cannot be negative")
        if self.period_months < 1:
            raise ValueError("the small-claim cap period must be at least one month")

    def window_start(self, on: date) -> date:
        """The first day of the period whose earlier charges count against the cap for costs charged on ``on``."""
        return add_months(on, -self.period_months)

    def capped_costs(self, costs: Money, principal: Money, already_charged_in_period: Money) -> Money:
        """``costs`` reduced so that this claim's costs plus those already charged in the period stay within the cap."""
        if already_charged_in_period.is_negative():
            raise MoneyError("costs already charged cannot be negative")
        if not self.enabled or principal >= self.threshold:
            return costs
        room = self.cap - already_charged_in_period
        if room.is_negative():
            return Money.zero(costs.currency)
        return costs.min(room)


@dataclass(frozen=True, slots=True)
class CostsSettings:
    """A client's choices where the law leaves room; the defaults are the cautious reading."""

    vat_uplift: bool
    vat_rate: Decimal = DEFAULT_VAT_RATE
    include_capitalised_interest: bool = False
    contractual_costs: Money | None = None  # business debtors only: the scale is mandatory for consumers
    small_claim_cap: SmallClaimCap | None = None

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.vat_rate < 1:
            raise MoneyError(f"VAT rate {self.vat_rate} is not a fraction between 0 and 1")
        if self.contractual_costs is not None and self.contractual_costs.is_negative():
            raise MoneyError("contractual collection costs cannot be negative")


def costs_for_case(
    *,
    category: DebtorCategory,
    unpaid_principals: Sequence[Money],
    capitalised_interest: Money,
    settings: CostsSettings,
    already_charged_in_period: Money = NOTHING_CHARGED,
) -> Money:
    """The collection costs of one case: one amount over the summed unpaid principals (6:96 lid 7).

    ``unpaid_principals`` are the original principals still unpaid on the day the costs become due (see
    :func:`collection_costs_due_from`); ``capitalised_interest`` joins the base only where the client opted in.
    A business contract clause replaces the scale as a fixed amount, VAT included if the client charges it; for a
    consumer it is ignored. Nothing unpaid means no costs, whatever the clause or the minimum says.
    """
    if capitalised_interest.is_negative():
        raise MoneyError("capitalised interest cannot be negative")
    base_parts = list(unpaid_principals)
    if settings.include_capitalised_interest and capitalised_interest:
        base_parts.append(capitalised_interest)
    currency = base_parts[0].currency if base_parts else capitalised_interest.currency
    base = money_sum(base_parts, currency)
    if base.is_negative():
        raise MoneyError("the principal of collection costs cannot be negative")
    if not base:
        return Money.zero(currency)
    if category is DebtorCategory.BUSINESS and settings.contractual_costs is not None:
        costs = settings.contractual_costs
    else:
        costs = collection_costs(base_parts, settings.vat_rate if settings.vat_uplift else None)
    if settings.small_claim_cap is None:
        return costs
    return settings.small_claim_cap.capped_costs(costs, base, already_charged_in_period)
