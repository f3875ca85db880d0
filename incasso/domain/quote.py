"""The quote: what a debtor owes on a date, and where each payment went (LEGAL.md section 4).

One function answers this for the letters, the portals, the API and the daily run alike. It is exact: every
interest segment is rounded half up to cents, and every cent of every payment lands in costs, interest, principal
or overpayment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from incasso.domain.collection_costs import collection_costs
from incasso.domain.interest import InterestAccount, InterestKind, RateTable, RateTableError
from incasso.domain.money import Money, MoneyError

EUR = "EUR"


class QuoteError(ValueError):
    """The quote cannot be computed from this input; ``field`` names the offending input.

    ``message`` is English (the API and the command line answer with it). ``code`` and ``values`` say the same as
    data, for the errors a stored case can run into, so a portal can word them in the reader's language.
    """

    def __init__(self, field: str, message: str, *, code: str = "", values: Mapping[str, object] | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.code = code
        self.values: Mapping[str, object] = values or {}


ERROR_NO_CLAIMS = "no_claims"
ERROR_DUPLICATE_CLAIM = "duplicate_claim"
ERROR_NEGATIVE_PRINCIPAL = "negative_principal"
ERROR_NEGATIVE_PAYMENT = "negative_payment"
ERROR_PAYMENT_AFTER_AS_OF = "payment_after_as_of"
ERROR_BEFORE_FIRST_RATE = "before_first_rate"


@dataclass(frozen=True, slots=True)
class ClaimInput:
    id: str
    principal: Money
    due_date: date
    interest_from: date | None = None

    @property
    def anchor(self) -> date:
        """Interest runs from ``interest_from`` when given (the default date for consumers), else the due date."""
        return self.interest_from or self.due_date


@dataclass(frozen=True, slots=True)
class PaymentInput:
    date: date
    amount: Money


@dataclass(frozen=True, slots=True)
class CostsInput:
    due_from: date
    vat_rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    interest: InterestKind
    as_of: date
    claims: tuple[ClaimInput, ...]
    payments: tuple[PaymentInput, ...] = ()
    costs: CostsInput | None = None


@dataclass(frozen=True, slots=True)
class ClaimOutcome:
    id: str
    principal_outstanding: Money
    interest_outstanding: Money
    capitalised_outstanding: Money


@dataclass(frozen=True, slots=True)
class CostsOutcome:
    amount: Money
    outstanding: Money
    due_from: date
    base: Money  # the summed unpaid original principal the costs were computed over


@dataclass(frozen=True, slots=True)
class AllocationLine:
    """One step of the order applied to a payment: which claim (None for costs), which part, how much."""

    claim_id: str | None
    part: str  # "costs" | "interest" | "capitalised_interest" | "principal"
    amount: Money


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    date: date
    amount: Money
    to_costs: Money
    to_interest: Money
    to_principal: Money
    overpayment: Money
    lines: tuple[AllocationLine, ...]


NOTICE_COSTS_NOT_DUE = "costs_not_due"
NOTICE_RATE_UNCONFIRMED = "rate_unconfirmed"


@dataclass(frozen=True, slots=True)
class QuoteNotice:
    """A warning as a code and its values, so an interface can word it in the reader's language.

    ``costs_not_due`` has ``due_from`` (a date); ``rate_unconfirmed`` has ``rate`` (a Decimal percentage),
    ``start`` (a date) and ``source`` (a str).
    """

    code: str
    values: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Quote:
    as_of: date
    claims: tuple[ClaimOutcome, ...]
    costs: CostsOutcome | None
    payments: tuple[PaymentOutcome, ...]
    total_outstanding: Money
    warnings: tuple[str, ...]  # in English, for the API and the command line
    notices: tuple[QuoteNotice, ...] = ()  # the same warnings as codes, in the same order


def _validate(request: QuoteRequest, tables: Mapping[InterestKind, RateTable]) -> RateTable | None:
    if not request.claims:
        raise QuoteError("claims", "at least one claim is required", code=ERROR_NO_CLAIMS)
    seen: set[str] = set()
    for index, claim in enumerate(request.claims):
        if claim.id in seen:
            raise QuoteError(
                f"claims[{index}].id",
                f"duplicate claim id {claim.id!r}",
                code=ERROR_DUPLICATE_CLAIM,
                values={"claim": claim.id},
            )
        seen.add(claim.id)
        if claim.principal.is_negative():
            raise QuoteError(
                f"claims[{index}].principal",
                "must not be negative",
                code=ERROR_NEGATIVE_PRINCIPAL,
                values={"claim": claim.id},
            )
    for index, payment in enumerate(request.payments):
        if payment.amount.is_negative():
            raise QuoteError(
                f"payments[{index}].amount",
                "must not be negative",
                code=ERROR_NEGATIVE_PAYMENT,
                values={"date": payment.date},
            )
        if payment.date > request.as_of:
            raise QuoteError(
                f"payments[{index}].date",
                "a payment cannot be dated after as_of",
                code=ERROR_PAYMENT_AFTER_AS_OF,
                values={"date": payment.date, "as_of": request.as_of},
            )
    if request.interest is InterestKind.NONE:
        return None
    table = tables[request.interest]
    first_date = table.first_date
    for index, claim in enumerate(request.claims):
        if claim.anchor < first_date and claim.anchor < request.as_of:  # a day of interest without a known rate
            field = "interest_from" if claim.interest_from else "due_date"
            raise QuoteError(
                f"claims[{index}].{field}",
                f"{claim.anchor.isoformat()} is before the first {request.interest} interest rate "
                f"({table.first_date.isoformat()})",
                code=ERROR_BEFORE_FIRST_RATE,
                values={
                    "claim": claim.id,
                    "day": claim.anchor,
                    "kind": str(request.interest),
                    "first": table.first_date,
                },
            )
    return table


def _unconfirmed_rate_notices(accounts: list[InterestAccount]) -> tuple[QuoteNotice, ...]:
    table = accounts[0].table if accounts else None
    if table is None or not table.unconfirmed_indices:
        return ()
    spans = [span for span in (account.row_index_span() for account in accounts) if span is not None]
    # The table's rows are in date order, so their indices sort as their start dates do.
    rows = []
    for index in table.unconfirmed_indices:
        for first, last in spans:
            if first <= index <= last:
                rows.append(table.rows[index])
                break
    return tuple(
        QuoteNotice(NOTICE_RATE_UNCONFIRMED, {"rate": row.rate, "start": row.start, "source": row.source})
        for row in rows
    )


def notice_english(notice: QuoteNotice) -> str:
    """The notice in English (the wording of ``Quote.warnings``)."""
    values = notice.values
    if notice.code == NOTICE_COSTS_NOT_DUE:
        return f"collection costs are not due before {_iso(values['due_from'])}"
    if notice.code == NOTICE_RATE_UNCONFIRMED:
        return f"interest rate {values['rate']}% from {_iso(values['start'])} is unconfirmed ({values['source']})"
    raise ValueError(f"unknown quote notice {notice.code!r}")


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def quote_calculate(request: QuoteRequest, tables: Mapping[InterestKind, RateTable]) -> Quote:
    """Compute the quote of LEGAL.md section 4 exactly."""
    table = _validate(request, tables)
    return _quote_in_cents(request, table, _currency(request))


def quote_payment_outcomes(
    request: QuoteRequest, tables: Mapping[InterestKind, RateTable]
) -> tuple[PaymentOutcome, ...]:
    """``quote_calculate(request, tables).payments``, without the rest of the quote.

    Where each payment went does not depend on anything after the last payment, so booking a payment (the ledger
    allocates every matched statement entry) skips the accrual to ``as_of``, the outstanding amounts and the
    notices. The same input errors are raised.
    """
    table = _validate(request, tables)
    return _payments_in_cents(request, table, _currency(request)).outcomes


def _currency(request: QuoteRequest) -> str:
    """The one currency of every amount in the quote (Incasso collects in euros; a mix is refused)."""
    currency = request.claims[0].principal.currency if request.claims else EUR
    for amount in (*(c.principal for c in request.claims), *(p.amount for p in request.payments)):
        if amount.currency != currency:
            raise MoneyError(f"cannot combine {currency} and {amount.currency}")
    return currency


@dataclass(slots=True)
class _Allocated:
    """The state after the payments: the claims' accounts (input order), the costs so far, each payment's outcome."""

    accounts: list[InterestAccount]
    costs_cents: int | None
    costs_base: int
    costs_paid: int
    outcomes: tuple[PaymentOutcome, ...]


def _quote_in_cents(request: QuoteRequest, table: RateTable | None, currency: str) -> Quote:
    """The quote from ``_payments_in_cents``: the accrual to ``as_of`` and what is outstanding then."""
    allocated = _payments_in_cents(request, table, currency)
    accounts, costs_cents = allocated.accounts, allocated.costs_cents
    costs_base, costs_paid, outcomes = allocated.costs_base, allocated.costs_paid, allocated.outcomes
    costs_input = request.costs
    _accrue_all(accounts, request.as_of)
    if costs_input is not None and costs_cents is None and costs_input.due_from <= request.as_of:
        costs_base = sum(account.original_cents for account in accounts)
        costs_cents = collection_costs([Money(costs_base, currency)], costs_input.vat_rate).cents
    notices: list[QuoteNotice] = []
    costs: CostsOutcome | None = None
    total = 0
    if costs_input is not None:
        if costs_cents is None:
            notices.append(QuoteNotice(NOTICE_COSTS_NOT_DUE, {"due_from": costs_input.due_from}))
        amount = costs_cents or 0
        costs = CostsOutcome(
            Money(amount, currency),
            Money(amount - costs_paid, currency),
            costs_input.due_from,
            Money(costs_base, currency),
        )
        total = amount - costs_paid
    notices.extend(_unconfirmed_rate_notices(accounts))

    claim_outcomes = []
    for claim, account in zip(request.claims, accounts, strict=True):
        principal, interest = account.principal, account.interest
        claim_outcomes.append(ClaimOutcome(claim.id, principal, interest, account.capitalised))
        total += principal.cents + interest.cents
    warnings = tuple(notice_english(notice) for notice in notices)
    return Quote(
        request.as_of, tuple(claim_outcomes), costs, outcomes, Money(total, currency), warnings, tuple(notices)
    )


def _payments_in_cents(request: QuoteRequest, table: RateTable | None, currency: str) -> _Allocated:
    """The steps of LEGAL.md section 4 in integer cents of ``currency``. A test compares the result with the
    algorithm as first written in ``Money`` throughout (``domain/tests/reference_quote.py``) on many random quotes.

    Run for every case of the daily run and every matched statement entry, so it keeps to ints and skips what
    cannot change a result: an exhausted payment is not offered to further claims (a claim takes nothing from a
    zero remainder, and its interest and principal are never negative once ``_validate`` passed).
    """
    # Accounts in the input order (the order the outcome reports), paired with their ids in the allocation order.
    accounts = [
        InterestAccount(principal=claim.principal, anchor=claim.anchor, table=table, keep_segments=False)
        for claim in request.claims
    ]
    ranked = sorted(zip(request.claims, accounts, strict=True), key=_allocation_order)
    pairs = [(claim.id, account) for claim, account in ranked]
    costs_input = request.costs
    costs_cents: int | None = None
    costs_base = 0
    costs_paid = 0
    zero = Money(0, currency)

    outcomes: list[PaymentOutcome] = []
    for payment in sorted(request.payments, key=_payment_date):  # stable: same date keeps input order
        day = payment.date
        _accrue_all(accounts, day)
        if costs_input is not None and costs_cents is None and costs_input.due_from <= day:
            # Over the original principals unpaid at the start of the due day: payments of that day come after.
            costs_base = sum(account.original_cents for account in accounts)
            costs_cents = collection_costs([Money(costs_base, currency)], costs_input.vat_rate).cents
        remaining = payment.amount.cents
        lines: list[AllocationLine] = []
        to_costs = 0
        if costs_cents is not None:
            to_costs = min(remaining, costs_cents - costs_paid)
            costs_paid += to_costs
            remaining -= to_costs
            if to_costs:
                lines.append(AllocationLine(None, "costs", Money(to_costs, currency)))
        to_interest = 0
        if remaining:
            for claim_id, account in pairs:
                taken = account.pay_interest_cents(remaining)
                if taken:
                    remaining -= taken
                    to_interest += taken
                    lines.append(AllocationLine(claim_id, "interest", Money(taken, currency)))
                    if not remaining:
                        break
        to_principal = 0
        if remaining:
            for claim_id, account in pairs:
                from_capitalised, from_original = account.pay_principal_cents(remaining)
                if from_capitalised:
                    lines.append(AllocationLine(claim_id, "capitalised_interest", Money(from_capitalised, currency)))
                if from_original:
                    lines.append(AllocationLine(claim_id, "principal", Money(from_original, currency)))
                remaining -= from_capitalised + from_original
                to_principal += from_capitalised + from_original
                if not remaining:
                    break
        outcomes.append(
            PaymentOutcome(
                day,
                payment.amount,
                Money(to_costs, currency) if to_costs else zero,
                Money(to_interest, currency) if to_interest else zero,
                Money(to_principal, currency) if to_principal else zero,
                Money(remaining, currency) if remaining else zero,
                tuple(lines),
            )
        )

    return _Allocated(accounts, costs_cents, costs_base, costs_paid, tuple(outcomes))


def _allocation_order(pair: tuple[ClaimInput, InterestAccount]) -> tuple[date, str]:
    """Oldest due date first, then id (LEGAL.md section 4, step 3)."""
    return pair[0].due_date, pair[0].id


def _payment_date(payment: PaymentInput) -> date:
    return payment.date


def _accrue_all(accounts: list[InterestAccount], day: date) -> None:
    end = day.toordinal()
    try:
        for account in accounts:
            account.accrue_to_ordinal(end)
    except RateTableError as exc:  # validated above; kept as a clear error should a table have a gap
        raise QuoteError("as_of", str(exc)) from exc
