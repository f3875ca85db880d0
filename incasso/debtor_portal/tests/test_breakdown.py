"""The breakdown regroups the one quote and always adds up to its total."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from incasso.debtor_portal.breakdown import breakdown_from_quote
from incasso.domain.interest import InterestKind
from incasso.domain.money import Money
from incasso.domain.quote import ClaimInput, CostsInput, PaymentInput, QuoteRequest, quote_calculate
from incasso.legal.services import interest_rate_tables

AS_OF = datetime.date(2026, 11, 1)


@settings(max_examples=60, deadline=None)
@given(
    principal=st.integers(min_value=1, max_value=5_000_000),
    payments=st.lists(st.integers(min_value=1, max_value=3_000_000), max_size=4),
    vat=st.booleans(),
    interest=st.sampled_from([InterestKind.STATUTORY, InterestKind.COMMERCIAL, InterestKind.NONE]),
)
def test_the_lines_add_up_to_the_quote_total(principal, payments, vat, interest):
    request = QuoteRequest(
        interest,
        AS_OF,
        (ClaimInput("F-1", Money(principal), datetime.date(2023, 3, 1)),),
        tuple(PaymentInput(datetime.date(2024, 1 + i, 10), Money(cents)) for i, cents in enumerate(payments)),
        CostsInput(datetime.date(2023, 4, 1), Decimal("0.21") if vat else None),
    )
    quote = quote_calculate(request, interest_rate_tables())
    breakdown = breakdown_from_quote(quote, original_principal=Money(principal))
    assert breakdown.adds_up
    assert breakdown.total == quote.total_outstanding
    assert breakdown.vat.cents >= 0 and breakdown.costs.cents >= 0
    assert (breakdown.vat.cents > 0) == vat
