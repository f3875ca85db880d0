"""A case's payments of one booking call are allocated in one quote when that gives what one quote each gives.

``case_payments_allocate`` is what the bulk booking uses; ``case_payments_allocate_one_by_one`` is the definition
(each payment quoted as of its own day, after everything booked before it). Compared on random cases: new
payments in date order and not, ledger payments before them and after, on the same days, with costs and without.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from incasso.domain.interest import InterestKind, shipped_rate_tables
from incasso.domain.money import Money
from incasso.domain.quote import ClaimInput, CostsInput, PaymentInput, QuoteError, QuoteRequest
from incasso.ledger.services.allocation import case_payments_allocate, case_payments_allocate_one_by_one

TABLES = shipped_rate_tables()


def _day(rng: random.Random, start: date, days: int) -> date:
    return start + timedelta(days=rng.randint(0, days))


def _random_case(rng: random.Random) -> tuple[QuoteRequest, list[PaymentInput]]:
    start = _day(rng, date(2019, 1, 1), 1_500)
    claims = tuple(
        ClaimInput(f"INV-{number}", Money(rng.randint(1_000, 3_000_000)), _day(rng, start, 200))
        for number in range(rng.randint(1, 4))
    )
    ledger = [PaymentInput(_day(rng, start, 900), Money(rng.randint(100, 400_000))) for _ in range(rng.randint(0, 5))]
    first_new = _day(rng, start, 900)
    new = [PaymentInput(_day(rng, first_new, 120), Money(rng.randint(1, 900_000))) for _ in range(rng.randint(1, 6))]
    shape = rng.random()
    if shape < 0.5:
        new.sort(key=lambda payment: payment.date)  # the common shape: a statement's payments in date order
    if shape < 0.2 and ledger:
        new = [PaymentInput(max(p.date for p in ledger), p.amount) for p in new]  # all on the ledger's last day
    as_of = max(payment.date for payment in (*ledger, *new))
    costs = CostsInput(_day(rng, start, 600), rng.choice([None, Decimal("0.21")])) if rng.random() < 0.6 else None
    kind = rng.choice([InterestKind.STATUTORY, InterestKind.COMMERCIAL, InterestKind.NONE])
    ledger_paid = tuple(p for p in ledger if p.date <= as_of)
    return QuoteRequest(kind, as_of, claims, ledger_paid, costs), new


@pytest.mark.parametrize("seed", range(4))
def test_one_quote_per_case_allocates_as_one_quote_per_payment(seed):
    rng = random.Random(seed)  # noqa: S311 - reproducible test cases
    in_one_quote = 0
    for _ in range(2_500):
        request, new = _random_case(rng)
        try:
            expected = case_payments_allocate_one_by_one(request, new, TABLES)
        except QuoteError:
            with pytest.raises(QuoteError):
                case_payments_allocate(request, new, TABLES)
            continue
        assert case_payments_allocate(request, new, TABLES) == expected, (request, new)
        days = [payment.date for payment in new]
        in_one_quote += days == sorted(days) and all(p.date <= days[0] for p in request.payments)
    assert in_one_quote > 800  # the one-quote path was compared often, not only the fallback
