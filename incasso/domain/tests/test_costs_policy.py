"""The rules around the collection-costs scale (LEGAL.md section 1; BW 6:96 lid 4-7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.collection_costs import collection_costs
from incasso.domain.costs_policy import (
    CostsSettings,
    DebtorCategory,
    SmallClaimCap,
    collection_costs_due_from,
    costs_for_case,
)
from incasso.domain.fourteen_day_letter import fourteen_day_term
from incasso.domain.money import Money, MoneyError

CONSUMER = DebtorCategory.CONSUMER
BUSINESS = DebtorCategory.BUSINESS
NO_VAT = CostsSettings(vat_uplift=False)
ZERO = Money.zero()


def m(text: str) -> Money:
    return Money.parse(text)


# --- when costs become due ---------------------------------------------------------------------------------------


def test_consumer_owes_nothing_without_a_letter() -> None:
    assert collection_costs_due_from(category=CONSUMER, payment_due=date(2024, 6, 30), fourteen_day_term=None) is None


@pytest.mark.parametrize(
    ("posted", "due_from"),
    [
        (date(2024, 7, 2), date(2024, 7, 19)),  # LEGAL.md §2: received Thu 4 July, term 5-18 July
        (date(2024, 8, 29), date(2024, 9, 17)),  # last day Sat 14 September moves to Mon 16 September
    ],
)
def test_consumer_owes_costs_from_the_day_after_the_letters_term(posted: date, due_from: date) -> None:
    term = fourteen_day_term(posted)
    assert collection_costs_due_from(category=CONSUMER, payment_due=date(2024, 6, 30), fourteen_day_term=term) == (
        due_from
    )


def test_a_letter_sent_before_the_debtor_was_in_default_is_no_letter() -> None:
    term = fourteen_day_term(date(2024, 7, 2))
    for payment_due in (date(2024, 7, 2), date(2024, 7, 10)):
        assert collection_costs_due_from(category=CONSUMER, payment_due=payment_due, fourteen_day_term=term) is None
    assert collection_costs_due_from(category=CONSUMER, payment_due=date(2024, 7, 1), fourteen_day_term=term) == (
        date(2024, 7, 19)
    )


def test_business_owes_costs_from_the_day_after_the_payment_term_letter_or_not() -> None:
    term = fourteen_day_term(date(2024, 7, 2))
    for letter in (None, term):
        assert collection_costs_due_from(
            category=BUSINESS, payment_due=date(2024, 2, 28), fourteen_day_term=letter
        ) == date(2024, 2, 29)


# --- how much ----------------------------------------------------------------------------------------------------


def test_claims_are_summed_into_one_amount_on_the_scale() -> None:
    # 6:96 lid 7: 1,000 + 2,000 = 3,000 -> 15% of 2,500 + 10% of 500 = 425, not 150 + 300.
    costs = costs_for_case(
        category=CONSUMER, unpaid_principals=[m("1000"), m("2000")], capitalised_interest=ZERO, settings=NO_VAT
    )
    assert costs == m("425.00")


def test_vat_uplift_raises_the_amount_minimum_included() -> None:
    with_vat = CostsSettings(vat_uplift=True)
    assert costs_for_case(
        category=CONSUMER, unpaid_principals=[m("100")], capitalised_interest=ZERO, settings=with_vat
    ) == m("48.40")
    assert costs_for_case(
        category=CONSUMER, unpaid_principals=[m("1234.57")], capitalised_interest=ZERO, settings=with_vat
    ) == m("224.07")
    nine = CostsSettings(vat_uplift=True, vat_rate=Decimal("0.09"))
    assert costs_for_case(
        category=BUSINESS, unpaid_principals=[m("100")], capitalised_interest=ZERO, settings=nine
    ) == (m("43.60"))


def test_the_vat_rate_is_ignored_without_the_uplift() -> None:
    settings = CostsSettings(vat_uplift=False, vat_rate=Decimal("0.21"))
    assert costs_for_case(
        category=CONSUMER, unpaid_principals=[m("100")], capitalised_interest=ZERO, settings=settings
    ) == (m("40.00"))


def test_capitalised_interest_joins_the_base_only_when_the_client_opts_in() -> None:
    principals = [m("2500")]
    interest = m("500")
    default = costs_for_case(
        category=CONSUMER, unpaid_principals=principals, capitalised_interest=interest, settings=NO_VAT
    )
    opted_in = costs_for_case(
        category=CONSUMER,
        unpaid_principals=principals,
        capitalised_interest=interest,
        settings=CostsSettings(vat_uplift=False, include_capitalised_interest=True),
    )
    assert default == m("375.00")
    assert opted_in == m("425.00")


def test_a_contract_clause_replaces_the_scale_for_business_only() -> None:
    clause = CostsSettings(vat_uplift=True, contractual_costs=m("750.00"))
    business = costs_for_case(
        category=BUSINESS, unpaid_principals=[m("1000")], capitalised_interest=ZERO, settings=clause
    )
    consumer = costs_for_case(
        category=CONSUMER, unpaid_principals=[m("1000")], capitalised_interest=ZERO, settings=clause
    )
    assert business == m("750.00")  # the clause's amount as stated, VAT not added again
    assert consumer == m("181.50")  # the mandatory scale: 150 x 1.21


def test_nothing_unpaid_means_no_costs_whatever_the_clause() -> None:
    clause = CostsSettings(vat_uplift=False, contractual_costs=m("750.00"))
    for category in DebtorCategory:
        assert (
            costs_for_case(category=category, unpaid_principals=[], capitalised_interest=ZERO, settings=clause) == ZERO
        )
        assert (
            costs_for_case(category=category, unpaid_principals=[ZERO], capitalised_interest=m("10"), settings=clause)
            == ZERO
        )


def test_partial_payment_within_the_term_lowers_the_base() -> None:
    # HR 25-11-2016 (ECLI:NL:HR:2016:2704): costs over what is still unpaid when the term ends.
    before = costs_for_case(
        category=CONSUMER, unpaid_principals=[m("3000")], capitalised_interest=ZERO, settings=NO_VAT
    )
    after = costs_for_case(category=CONSUMER, unpaid_principals=[m("2000")], capitalised_interest=ZERO, settings=NO_VAT)
    assert (before, after) == (m("425.00"), m("300.00"))


def test_bad_settings_and_inputs_are_refused() -> None:
    with pytest.raises(MoneyError):
        CostsSettings(vat_uplift=True, vat_rate=Decimal("21"))
    with pytest.raises(MoneyError):
        CostsSettings(vat_uplift=False, contractual_costs=m("-1"))
    with pytest.raises(MoneyError):
        costs_for_case(category=CONSUMER, unpaid_principals=[m("100")], capitalised_interest=m("-1"), settings=NO_VAT)
    with pytest.raises(MoneyError):
        costs_for_case(category=BUSINESS, unpaid_principals=[m("-100")], capitalised_interest=ZERO, settings=NO_VAT)


# --- the small-claim cap -----------------------------------------------------------------------------------------


def test_the_small_claim_cap_is_off_by_default() -> None:
    cap = SmallClaimCap()
    assert not cap.enabled
    assert (cap.cap, cap.threshold, cap.period_months) == (m("140.00"), m("266.67"), 6)
    assert cap.source
    assert cap.capped_costs(m("40.00"), m("100"), already_charged_in_period=m("140.00")) == m("40.00")
    settings = CostsSettings(vat_uplift=False, small_claim_cap=cap)
    costs = costs_for_case(
        category=CONSUMER,
        unpaid_principals=[m("100")],
        capitalised_interest=ZERO,
        settings=settings,
        already_charged_in_period=m("500"),
    )
    assert costs == m("40.00")


@pytest.mark.parametrize(
    ("principal", "already", "expected"),
    [
        ("100", "0", "40.00"),  # room enough
        ("100", "120", "20.00"),  # only 20 left of 140 in the period
        ("100", "140", "0.00"),  # the cap is reached
        ("100", "200", "0.00"),  # already over: never negative
        ("266.66", "140", "0.00"),  # just under the threshold
        ("266.67", "140", "40.00"),  # at the threshold the cap no longer applies
    ],
)
def test_the_small_claim_cap_when_enabled(principal: str, already: str, expected: str) -> None:
    settings = CostsSettings(vat_uplift=False, small_claim_cap=SmallClaimCap(enabled=True))
    costs = costs_for_case(
        category=CONSUMER,
        unpaid_principals=[m(principal)],
        capitalised_interest=ZERO,
        settings=settings,
        already_charged_in_period=m(already),
    )
    assert costs == m(expected)


def test_small_claim_cap_window_and_validation() -> None:
    cap = SmallClaimCap(enabled=True)
    assert cap.window_start(date(2025, 8, 31)) == date(2025, 2, 28)
    with pytest.raises(ValueError, match="at least one month"):
        SmallClaimCap(period_months=0)
    with pytest.raises(MoneyError):
        SmallClaimCap(cap=m("-1"))
    with pytest.raises(MoneyError):
        cap.capped_costs(m("40"), m("100"), already_charged_in_period=m("-1"))


# --- properties --------------------------------------------------------------------------------------------------

amounts = st.integers(min_value=0, max_value=100_000_000).map(Money)
categories = st.sampled_from(list(DebtorCategory))
settings_strategy = st.builds(
    CostsSettings,
    vat_uplift=st.booleans(),
    vat_rate=st.sampled_from([Decimal("0.21"), Decimal("0.09"), Decimal(0)]),
    include_capitalised_interest=st.booleans(),
    contractual_costs=st.none() | amounts,
    small_claim_cap=st.none() | st.builds(SmallClaimCap, enabled=st.booleans()),
)


@given(
    category=categories,
    principals=st.lists(amounts, max_size=5),
    interest=amounts,
    settings=settings_strategy,
    already=amounts,
)
def test_costs_are_never_negative_and_consumers_never_pay_more_than_the_scale(
    category: DebtorCategory,
    principals: list[Money],
    interest: Money,
    settings: CostsSettings,
    already: Money,
) -> None:
    costs = costs_for_case(
        category=category,
        unpaid_principals=principals,
        capitalised_interest=interest,
        settings=settings,
        already_charged_in_period=already,
    )
    assert not costs.is_negative()
    if category is CONSUMER:
        base = [*principals, interest] if settings.include_capitalised_interest else principals
        assert costs <= collection_costs(base, settings.vat_rate if settings.vat_uplift else None)


@given(principals=st.lists(amounts, min_size=1, max_size=5), already=amounts)
def test_an_enabled_cap_never_raises_costs(principals: list[Money], already: Money) -> None:
    def costs(cap: SmallClaimCap | None) -> Money:
        return costs_for_case(
            category=CONSUMER,
            unpaid_principals=principals,
            capitalised_interest=ZERO,
            settings=CostsSettings(vat_uplift=False, small_claim_cap=cap),
            already_charged_in_period=already,
        )

    assert costs(SmallClaimCap(enabled=True)) <= costs(None)
