from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.collection_costs import collection_costs
from incasso.domain.money import Money, MoneyError
from incasso.domain.tests.vectors import legal_vectors


def _wik_cases():
    return [
        pytest.param(case, id=f"{'+'.join(case['principals'])}@{case['vat_rate']}") for case in legal_vectors()["wik"]
    ]


@pytest.mark.parametrize("case", _wik_cases())
def test_worked_examples(case):
    vat = Decimal(case["vat_rate"]) if case["vat_rate"] else None
    principals = [Money.parse(p) for p in case["principals"]]
    assert str(collection_costs(principals, vat)) == case["costs"]


@pytest.mark.parametrize(
    ("principal", "costs"),
    [
        ("266.67", "40.00"),  # 15% of 266.67 = 40.0005 rounds to 40.00: the minimum and the scale meet here
        ("266.70", "40.01"),
        ("2500.01", "375.00"),  # 375 + 0.001
        ("2500.05", "375.01"),  # 375.005 rounds half up
        ("5000", "625.00"),
        ("999999.99", "6775.00"),
        ("0.01", "40.00"),
    ],
)
def test_bracket_edges(principal, costs):
    assert str(collection_costs([Money.parse(principal)])) == costs


def test_vat_is_applied_to_the_unrounded_amount_and_rounded_once():
    # 15% of 1234.57 = 185.1855; x 1.21 = 224.074455 -> 224.07 (rounding first would give 224.08).
    assert str(collection_costs([Money.parse("1234.57")], Decimal("0.21"))) == "224.07"
    assert str(collection_costs([Money.parse("2000000")], Decimal("0.21"))) == "8197.75"


def test_no_principal_no_costs_and_bad_inputs():
    assert str(collection_costs([])) == "0.00"
    assert str(collection_costs([Money.zero()])) == "0.00"
    with pytest.raises(MoneyError):
        collection_costs([Money.parse("-1")])
    with pytest.raises(MoneyError):
        collection_costs([Money.parse("100")], Decimal("1.5"))


cents = st.integers(min_value=1, max_value=300_000_000)


@given(a=cents, b=cents, vat=st.sampled_from([None, Decimal("0.09"), Decimal("0.21")]))
def test_costs_never_decrease_as_principal_grows(a, b, vat):
    low, high = sorted((a, b))
    assert collection_costs([Money(low)], vat) <= collection_costs([Money(high)], vat)


@given(a=cents, b=cents)
def test_summing_claims_never_costs_more_than_charging_each(a, b):
    summed = collection_costs([Money(a), Money(b)])
    # The scale is concave, so one amount over the sum is at most the two amounts apart (give or take the
    # rounding of a half cent).
    assert summed <= collection_costs([Money(a)]) + collection_costs([Money(b)]) + Money(1)
    assert Money(4000) <= summed <= Money(677500)
