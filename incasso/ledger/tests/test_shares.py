"""The share arithmetic is pure: no database, milliseconds."""

import datetime
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.money import Money
from incasso.ledger.shares import CommissionRates, RatesTimeline, payment_split, share_of

cents = st.integers(min_value=-(10**12), max_value=10**12)
basis_points = st.integers(min_value=0, max_value=10_000)


def test_a_share_rounds_half_up():
    assert share_of(Money(5_721), 5_000) == Money(2_861)  # 28.605 -> 28.61
    assert share_of(Money(11_779), 1_500) == Money(1_767)  # 17.6685 -> 17.67
    assert share_of(Money(100), 10_000) == Money(100)


@given(cents, basis_points)
def test_a_share_is_the_exact_fraction_rounded_half_up_away_from_zero(amount, bp):
    """The integer arithmetic gives what exact rational arithmetic gives (as it was first written)."""
    exact = Fraction(amount * bp, 10_000)
    magnitude = int((abs(exact) * 2 + 1) // 2)
    assert share_of(Money(amount), bp) == Money(magnitude if exact >= 0 else -magnitude)


@given(cents, basis_points)
def test_a_negated_amount_has_the_negated_share_so_a_reversal_undoes_exactly(amount, bp):
    assert share_of(Money(-amount), bp) == -share_of(Money(amount), bp)


@given(
    st.integers(0, 10**9),
    st.integers(0, 10**9),
    st.integers(0, 10**9),
    st.integers(0, 10**9),
    basis_points,
    basis_points,
)
def test_the_split_of_a_payment_loses_no_cent(costs, interest, principal, over, costs_bp, interest_bp):
    split = payment_split(
        to_costs=Money(costs),
        to_interest=Money(interest),
        to_principal=Money(principal),
        overpayment=Money(over),
        rates=CommissionRates(0, interest_bp, costs_bp),
    )
    assert (split.agency_costs + split.agency_interest + split.client + split.overpayment).cents == (
        costs + interest + principal + over
    )
    assert 0 <= split.agency_costs.cents <= costs
    assert 0 <= split.agency_interest.cents <= interest


def test_commission_terms_apply_from_their_date_until_the_next_version():
    timeline = RatesTimeline.of(
        [(datetime.date(2024, 1, 1), CommissionRates(2_000)), (datetime.date(2023, 1, 1), CommissionRates(1_000))]
    )
    assert timeline.on(datetime.date(2022, 12, 31)) == CommissionRates()
    assert timeline.on(datetime.date(2023, 1, 1)).commission_on_principal_bp == 1_000
    assert timeline.on(datetime.date(2024, 6, 1)).commission_on_principal_bp == 2_000


def test_a_share_is_at_most_everything():
    with pytest.raises(ValueError, match="basis points"):
        share_of(Money(1), 10_001)
