"""The quote as a debtor reads it: what the claim was made of, what was paid, and the total today.

Pure: it takes the one quote (``domain.quote.quote_calculate``, through ``cases.selectors.case_quote``) and only
regroups it, so the lines always add up to the quote's own total:

    principal + interest + collection costs + VAT - paid + overpaid = total today

Interest is all interest that ran up to today (also the part that was capitalised or already paid), "paid" is
every payment received (as the list of payments beside it shows), and "overpaid" the part of them beyond the
claim: the ledger owes that back to the debtor (``refunds_payable``), so it is added back, not hidden.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from incasso.domain.collection_costs import collection_costs
from incasso.domain.money import Money, money_sum
from incasso.domain.quote import Quote


@dataclass(frozen=True, slots=True)
class Breakdown:
    principal: Money
    interest: Money
    costs: Money  # collection costs without VAT
    vat: Money  # VAT on the collection costs (only when the client cannot deduct it)
    paid: Money  # every payment received
    overpaid: Money  # the part of ``paid`` beyond the claim, owed back to the debtor
    total: Money
    costs_due_from: datetime.date | None  # when collection costs are (or will be) charged

    @property
    def adds_up(self) -> bool:
        return self.principal + self.interest + self.costs + self.vat - self.paid + self.overpaid == self.total


def breakdown_from_quote(quote: Quote, *, original_principal: Money) -> Breakdown:
    """Regroup ``quote``; ``original_principal`` is the sum of the claims' invoices as the client handed them over."""
    zero = Money.zero()
    lines = [line for payment in quote.payments for line in payment.lines]
    interest = money_sum(
        [
            *(claim.interest_outstanding + claim.capitalised_outstanding for claim in quote.claims),
            *(line.amount for line in lines if line.part in ("interest", "capitalised_interest")),
        ]
    )
    costs_total = zero
    vat = zero
    due_from: datetime.date | None = None
    if quote.costs is not None:
        due_from = quote.costs.due_from
        costs_total = quote.costs.amount
        if costs_total:
            vat = costs_total - collection_costs([quote.costs.base], None)
    paid = money_sum([payment.amount for payment in quote.payments])
    overpaid = money_sum([payment.overpayment for payment in quote.payments])
    return Breakdown(
        principal=original_principal,
        interest=interest,
        costs=costs_total - vat,
        vat=vat,
        paid=paid,
        overpaid=overpaid,
        total=quote.total_outstanding,
        costs_due_from=due_from,
    )
