"""The quote as it was first written, in ``Money`` throughout: the reference the production quote (integer cents
inside, ``incasso.domain.quote``) is compared with on many random quotes. Kept in the tests only: the system has one
quote.
"""

from __future__ import annotations

from datetime import date

from incasso.domain.collection_costs import collection_costs
from incasso.domain.interest import InterestAccount, RateTable, RateTableError
from incasso.domain.money import Money, money_sum
from incasso.domain.quote import (
    NOTICE_COSTS_NOT_DUE,
    AllocationLine,
    ClaimOutcome,
    CostsOutcome,
    PaymentOutcome,
    Quote,
    QuoteError,
    QuoteNotice,
    QuoteRequest,
    _unconfirmed_rate_notices,
    notice_english,
)


def reference_quote(request: QuoteRequest, table: RateTable | None) -> Quote:
    """The quote in ``Money`` throughout, step by step as LEGAL.md section 4 reads (``table`` as ``_validate`` gives
    it)."""
    order = sorted(range(len(request.claims)), key=lambda i: (request.claims[i].due_date, request.claims[i].id))
    claims = [request.claims[i] for i in order]
    accounts = [InterestAccount(principal=c.principal, anchor=c.anchor, table=table) for c in claims]
    zero = Money.zero()
    costs_amount: Money | None = None
    costs_base = zero
    costs_paid = zero
    notices: list[QuoteNotice] = []

    def accrue_all(day: date) -> None:
        try:
            for account in accounts:
                account.accrue_to(day)
        except RateTableError as exc:  # validated above; kept as a clear error should a table have a gap
            raise QuoteError("as_of", str(exc)) from exc

    def costs_become_due_by(day: date) -> None:
        nonlocal costs_amount, costs_base
        if request.costs is None or costs_amount is not None or request.costs.due_from > day:
            return
        # Over the original principals unpaid at the start of the due day: payments of that day come after.
        costs_base = money_sum([account.original for account in accounts])
        costs_amount = collection_costs([costs_base], request.costs.vat_rate)

    outcomes: list[PaymentOutcome] = []
    for payment in sorted(request.payments, key=lambda p: p.date):  # stable: same date keeps input order
        accrue_all(payment.date)
        costs_become_due_by(payment.date)
        remaining = payment.amount
        lines: list[AllocationLine] = []
        to_costs = zero
        if costs_amount is not None:
            to_costs = remaining.min(costs_amount - costs_paid)
            costs_paid = costs_paid + to_costs
            remaining = remaining - to_costs
            if to_costs:
                lines.append(AllocationLine(None, "costs", to_costs))
        to_interest = zero
        for claim, account in zip(claims, accounts, strict=True):
            taken = account.pay_interest(remaining)
            remaining, to_interest = remaining - taken, to_interest + taken
            if taken:
                lines.append(AllocationLine(claim.id, "interest", taken))
        to_principal = zero
        for claim, account in zip(claims, accounts, strict=True):
            capitalised_before = account.capitalised
            taken = account.pay_principal(remaining)
            remaining, to_principal = remaining - taken, to_principal + taken
            from_capitalised = capitalised_before - account.capitalised
            if from_capitalised:
                lines.append(AllocationLine(claim.id, "capitalised_interest", from_capitalised))
            if taken - from_capitalised:
                lines.append(AllocationLine(claim.id, "principal", taken - from_capitalised))
        outcomes.append(
            PaymentOutcome(payment.date, payment.amount, to_costs, to_interest, to_principal, remaining, tuple(lines))
        )

    accrue_all(request.as_of)
    costs_become_due_by(request.as_of)
    costs: CostsOutcome | None = None
    if request.costs is not None:
        if costs_amount is None:
            notices.append(QuoteNotice(NOTICE_COSTS_NOT_DUE, {"due_from": request.costs.due_from}))
        amount = costs_amount or zero
        costs = CostsOutcome(amount, amount - costs_paid, request.costs.due_from, costs_base)
    notices.extend(_unconfirmed_rate_notices(accounts))

    by_id = {claim.id: account for claim, account in zip(claims, accounts, strict=True)}
    claim_outcomes = tuple(
        ClaimOutcome(c.id, by_id[c.id].principal, by_id[c.id].interest, by_id[c.id].capitalised) for c in request.claims
    )
    total = money_sum([o.principal_outstanding + o.interest_outstanding for o in claim_outcomes])
    if costs is not None:
        total = total + costs.outstanding
    warnings = tuple(notice_english(notice) for notice in notices)
    return Quote(request.as_of, claim_outcomes, costs, tuple(outcomes), total, warnings, tuple(notices))
