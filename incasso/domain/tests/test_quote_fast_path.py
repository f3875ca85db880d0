"""The quote (integer cents inside) equals the algorithm as first written in ``Money`` throughout.

The reference (``reference_quote.py``, tests only) follows LEGAL.md section 4 step by step in ``Money``. Both must
give the same quote to the cent, on every input: compared
here on random cases of every shape the algorithm distinguishes (several claims with equal due dates, payments on
one day, on an anniversary, on the costs' due day, overpayments, zero principals, costs with and without VAT, each
interest kind, anchors on 29 February), and on input errors, which must be the same error.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from incasso.domain import quote as quote_module
from incasso.domain.interest import InterestKind, shipped_rate_tables
from incasso.domain.money import Money
from incasso.domain.quote import ClaimInput, CostsInput, PaymentInput, QuoteError, QuoteRequest, quote_calculate
from incasso.domain.tests.reference_quote import reference_quote

TABLES = shipped_rate_tables()
FIRST = date(2015, 1, 1)
LAST = date(2026, 11, 30)


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _random_request(rng: random.Random) -> QuoteRequest:
    as_of = _day(rng, date(2016, 1, 1), LAST)
    shared_due = _day(rng, FIRST, as_of)
    claims = []
    for number in range(rng.randint(1, 5)):
        due = shared_due if rng.random() < 0.3 else _day(rng, FIRST, as_of + timedelta(days=60))
        if rng.random() < 0.05:
            due = date(2016, 2, 29)
        interest_from = _day(rng, due, due + timedelta(days=400)) if rng.random() < 0.3 else None
        cents = 0 if rng.random() < 0.05 else rng.choice([rng.randint(1, 500), rng.randint(1_000, 5_000_000)])
        claims.append(ClaimInput(f"C{rng.randint(0, 3)}{number}", Money(cents), due, interest_from))
    first_due = min(claim.due_date for claim in claims)
    payments = []
    for _ in range(rng.randint(0, 8)):
        kind = rng.random()
        if kind < 0.15 and payments:
            day = payments[-1].date  # the same day as another payment
        elif kind < 0.3:
            anchor = rng.choice(claims).anchor
            day = anchor.replace(year=min(anchor.year + rng.randint(1, 3), as_of.year), day=min(anchor.day, 28))
        else:
            day = _day(rng, min(first_due, as_of), as_of)
        day = min(max(day, FIRST), as_of)
        amount = rng.choice([0, rng.randint(1, 5_000), rng.randint(5_000, 800_000), rng.randint(1_000_000, 9_000_000)])
        payments.append(PaymentInput(day, Money(amount)))
    costs = None
    if rng.random() < 0.7:
        due_from = rng.choice([*(p.date for p in payments), _day(rng, first_due, as_of + timedelta(days=30))])
        costs = CostsInput(due_from, rng.choice([None, Decimal("0.21"), Decimal("0.09")]))
    kind = rng.choice([InterestKind.STATUTORY, InterestKind.COMMERCIAL, InterestKind.NONE])
    return QuoteRequest(kind, as_of, tuple(claims), tuple(payments), costs)


def _production(request, table):
    return quote_module._quote_in_cents(request, table, quote_module._currency(request))


def _outcome(path, request):
    """The quote, or the error the path raised (as its type and message)."""
    table = None if request.interest is InterestKind.NONE else TABLES[request.interest]
    try:
        return path(request, table)
    except (QuoteError, ValueError) as exc:
        return type(exc), str(exc)


@pytest.mark.parametrize("seed", range(6))
def test_the_quote_equals_the_reference_in_money_on_random_quotes(seed):
    rng = random.Random(seed)  # noqa: S311 - reproducible test cases
    compared = 0
    for _ in range(10_000):  # 60,000 in all over the seeds
        request = _random_request(rng)
        try:
            quote_module._validate(request, TABLES)
        except QuoteError:
            continue  # refused before either path runs
        fast = _outcome(_production, request)
        general = _outcome(reference_quote, request)
        assert fast == general, request
        compared += 1
    assert compared > 9_000


def test_the_random_cases_reach_every_part_of_the_order():
    """The comparison above means something only if the random cases pay costs, interest, capitalised interest
    and principal, overpay, and see unconfirmed rates."""
    rng = random.Random(0)  # noqa: S311 - reproducible test cases
    parts: set[str] = set()
    overpaid = warned = False
    for _ in range(3_000):
        request = _random_request(rng)
        try:
            result = quote_calculate(request, TABLES)
        except QuoteError:
            continue
        for payment in result.payments:
            parts.update(line.part for line in payment.lines)
            overpaid = overpaid or bool(payment.overpayment)
        warned = warned or bool(result.notices)
    assert parts == {"costs", "interest", "capitalised_interest", "principal"}
    assert overpaid
    assert warned


def test_a_quote_mixing_currencies_is_refused():
    claim = ClaimInput("A", Money(10_000, "CHF"), date(2025, 1, 1))
    request = QuoteRequest(InterestKind.NONE, date(2025, 6, 1), (claim,), (PaymentInput(date(2025, 3, 1), Money(100)),))
    with pytest.raises(ValueError, match="cannot combine CHF and EUR"):
        quote_calculate(request, TABLES)


def test_a_quote_in_one_other_currency_is_in_that_currency():
    claim = ClaimInput("A", Money(10_000, "CHF"), date(2025, 1, 1))
    payment = PaymentInput(date(2025, 3, 1), Money(2_500, "CHF"))
    request = QuoteRequest(InterestKind.NONE, date(2025, 6, 1), (claim,), (payment,))
    quote = quote_calculate(request, TABLES)
    assert quote.total_outstanding == Money(7_500, "CHF")
    assert quote.payments[0].to_principal == Money(2_500, "CHF")


@pytest.mark.parametrize("seed", range(2))
def test_the_payments_alone_are_the_quotes_payments_on_random_quotes(seed):
    """``quote_payment_outcomes`` (the ledger books every matched payment with it) skips the rest of the quote:
    the same outcomes to the cent, and the same error where the quote refuses its input."""
    rng = random.Random(100 + seed)  # noqa: S311 - reproducible test cases
    paid = 0
    for _ in range(5_000):
        request = _random_request(rng)
        if rng.random() < 0.05 and request.payments:  # a payment after as_of: refused by both
            request = QuoteRequest(
                request.interest, request.payments[0].date - timedelta(days=1), request.claims, request.payments
            )
        assert _either(quote_module.quote_payment_outcomes, request) == _either(
            lambda asked, tables: quote_calculate(asked, tables).payments, request
        ), request
        paid += bool(request.payments)
    assert paid > 4_000


def _either(path, request):
    """What ``path`` gives, or the error it raised (as its type and message)."""
    try:
        return path(request, TABLES)
    except (QuoteError, ValueError) as exc:
        return type(exc), str(exc)
