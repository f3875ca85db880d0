"""Extrajudicial collection costs on the Dutch scale (WIK / BIK).

Besluit vergoeding voor buitengerechtelijke incassokosten (BWBR0031432) art. 2 and BW 6:96 lid 4-7:
15% of the first EUR 2,500, 10% of the next 2,500, 5% of the next 5,000, 1% of the next 190,000 and 0.5% of
the rest, at least EUR 40 and at most EUR 6,775. Where the creditor cannot deduct VAT the whole amount (minimum and
maximum included) is raised by the VAT rate. The result is rounded half up once, at the end (LEGAL.md section 1).
Claims that can be demanded together are summed first (6:96 lid 7): one amount over the sum.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, localcontext

from incasso.domain.money import CALCULATION_CONTEXT, Money, MoneyError, money_sum

# (width of the bracket in euro, or None for "the rest"; fraction charged over it)
SCALE: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal(2_500), Decimal("0.15")),
    (Decimal(2_500), Decimal("0.10")),
    (Decimal(5_000), Decimal("0.05")),
    (Decimal(190_000), Decimal("0.01")),
    (None, Decimal("0.005")),
)
MINIMUM = Decimal(40)
MAXIMUM = Decimal(6_775)


def scale_amount(principal: Decimal) -> Decimal:
    """The unrounded scale amount, clamped to the minimum and maximum, before VAT."""
    remaining = principal
    total = Decimal(0)
    with localcontext(CALCULATION_CONTEXT):
        for width, fraction in SCALE:
            portion = remaining if width is None else min(remaining, width)
            total += portion * fraction
            remaining -= portion
            if remaining <= 0:
                break
    return min(max(total, MINIMUM), MAXIMUM)


def collection_costs(principals: Iterable[Money], vat_rate: Decimal | None = None) -> Money:
    """Collection costs over the summed unpaid principal of claims demanded together.

    No unpaid principal means nothing to collect and no costs (the minimum applies to a claim, not to nothing).
    """
    principals = list(principals)
    base = money_sum(principals)
    if base.is_negative():
        raise MoneyError("the principal of collection costs cannot be negative")
    if not base:
        return Money.zero(base.currency)
    if vat_rate is not None and not Decimal(0) <= vat_rate < 1:
        raise MoneyError(f"VAT rate {vat_rate} is not a fraction between 0 and 1")
    amount = scale_amount(base.amount)
    if vat_rate:
        with localcontext(CALCULATION_CONTEXT):
            amount = amount * (1 + vat_rate)
    return Money.from_decimal(amount, base.currency)
