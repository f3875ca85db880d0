"""Properties of the quote that must hold for every input, checked on random cases (hypothesis)."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from incasso.domain.interest import InterestKind, shipped_rate_tables
from incasso.domain.money import Money, money_sum
from incasso.domain.quote import ClaimInput, CostsInput, PaymentInput, QuoteRequest, quote_calculate

FIRST = date(2015, 1, 1)
LAST = date(2026, 12, 31)
days = st.integers(min_value=0, max_value=(LAST - FIRST).days).map(lambda n: FIRST + timedelta(days=n))
VAT = Decimal("0.21")
amounts = st.integers(min_value=0, max_value=20_000_000).map(Money)


@st.composite
def requests(draw):
    as_of = draw(days)
    claim_count = draw(st.integers(min_value=1, max_value=4))
    claims = tuple(
        ClaimInput(
            id=draw(st.sampled_from("ABCDEFG")) + str(index),
            principal=draw(amounts),
            due_date=draw(days),
            interest_from=draw(st.none() | days),
        )
        for index in range(claim_count)
    )
    payment_days = st.integers(min_value=0, max_value=(as_of - FIRST).days).map(lambda n: FIRST + timedelta(days=n))
    payments = tuple(
        PaymentInput(draw(payment_days), draw(amounts)) for _ in range(draw(st.integers(min_value=0, max_value=5)))
    )
    costs = draw(st.none() | st.builds(CostsInput, due_from=days, vat_rate=st.sampled_from([None, VAT])))
    return QuoteRequest(draw(st.sampled_from(list(InterestKind))), as_of, claims, payments, costs)


def total(request):
    return quote_calculate(request, shipped_rate_tables()).total_outstanding


@settings(max_examples=300)
@given(requests())
def test_every_cent_of_every_payment_lands_somewhere(request):
    quote = quote_calculate(request, shipped_rate_tables())
    for payment in quote.payments:
        assert not payment.overpayment.is_negative()
        assert payment.to_costs + payment.to_interest + payment.to_principal + payment.overpayment == payment.amount
        assert money_sum([line.amount for line in payment.lines]) == payment.amount - payment.overpayment
    for claim in quote.claims:
        assert not claim.principal_outstanding.is_negative()
        assert not claim.interest_outstanding.is_negative()


@settings(max_examples=300)
@given(requests())
def test_a_payment_on_the_quote_date_lowers_the_total_by_exactly_what_it_paid(request):
    if not request.payments:
        return
    ordered = sorted(request.payments, key=lambda p: p.date)
    last = ordered[-1]
    at_last = QuoteRequest(request.interest, last.date, request.claims, tuple(ordered), request.costs)
    without = QuoteRequest(request.interest, last.date, request.claims, tuple(ordered[:-1]), request.costs)
    quote = quote_calculate(at_last, shipped_rate_tables())
    paid = quote.payments[-1].amount - quote.payments[-1].overpayment
    assert total(without) - quote.total_outstanding == paid


@settings(max_examples=300)
@given(requests(), st.data())
def test_a_payment_never_makes_the_total_owed_go_up(request, data):
    if not request.payments:
        return
    index = data.draw(st.integers(min_value=0, max_value=len(request.payments) - 1))
    # Compare with the same quote where that payment paid nothing: the same interest segments, only less paid.
    nothing = list(request.payments)
    nothing[index] = PaymentInput(nothing[index].date, Money.zero())
    unpaid = QuoteRequest(request.interest, request.as_of, request.claims, tuple(nothing), request.costs)
    assert total(request) <= total(unpaid)


@settings(max_examples=200)
@given(requests())
def test_without_interest_or_costs_the_total_is_principal_less_what_was_paid(request):
    plain = QuoteRequest(InterestKind.NONE, request.as_of, request.claims, request.payments, None)
    quote = quote_calculate(plain, shipped_rate_tables())
    paid = money_sum([p.amount - p.overpayment for p in quote.payments])
    assert quote.total_outstanding == money_sum([c.principal for c in request.claims]) - paid
