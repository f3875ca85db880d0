"""The protected income (beslagvrije voet) an arrangement must leave (LEGAL.md section 9)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.money import Money, MoneyError
from incasso.domain.protected_income import (
    Household,
    NormRow,
    ProtectedIncome,
    ProtectedIncomeTable,
    ProtectedIncomeTableError,
    max_affordable_instalment,
    parse_protected_income_table,
    protected_income,
    shipped_protected_income_table,
)


def m(text: str) -> Money:
    return Money.parse(text)


def row(valid_from: date, household: Household, norm: str, *, confirmed: bool = True) -> NormRow:
    return NormRow(
        valid_from=valid_from,
        household=household,
        norm=m(norm),
        housing_norm=m("800.00"),
        standard_health_premium=m("150.00"),
        confirmed=confirmed,
        source="test figures",
    )


TABLE = ProtectedIncomeTable(
    "test-1",
    (
        row(date(2025, 1, 1), Household.SINGLE, "1000.00"),
        row(date(2025, 7, 1), Household.SINGLE, "1100.00"),
        row(date(2025, 7, 1), Household.COUPLE, "1500.00", confirmed=False),
    ),
)
ON = date(2025, 8, 1)


def single(net: str, housing: str | None = "0", premium: str | None = "0", *, on: date = ON) -> ProtectedIncome:
    return protected_income(
        on=on,
        household=Household.SINGLE,
        net_income=m(net),
        housing_costs=None if housing is None else m(housing),
        health_premium=None if premium is None else m(premium),
        table=TABLE,
    )


def test_ninety_five_percent_of_the_norm_in_force_on_the_day() -> None:
    assert single("3000").amount == m("1045.00")
    assert single("3000", on=date(2025, 6, 30)).amount == m("950.00")
    assert single("3000").rule_version == "test-1/2025-07-01/single"
    assert single("3000").warnings == ()


def test_rounded_half_up_once() -> None:
    table = ProtectedIncomeTable("t", (row(date(2025, 1, 1), Household.SINGLE, "1345.45"),))
    result = protected_income(
        on=date(2025, 3, 1),
        household=Household.SINGLE,
        net_income=m("5000"),
        housing_costs=m("0"),
        health_premium=m("0"),
        table=table,
    )
    assert result.amount == m("1278.18")  # 1,278.1775


def test_housing_costs_and_premium_above_their_norms_raise_it() -> None:
    assert single("3000", housing="800.00", premium="150.00").amount == m("1045.00")
    assert single("3000", housing="950.00").amount == m("1195.00")
    assert single("3000", premium="175.50").amount == m("1070.50")
    assert single("3000", housing="900.00", premium="160.00").amount == m("1155.00")


def test_never_more_than_the_net_income_and_instalment_never_negative() -> None:
    result = single("900.00")
    assert result.amount == m("900.00")
    assert max_affordable_instalment(m("900.00"), result) == Money.zero()
    assert max_affordable_instalment(m("1500.00"), single("1500.00")) == m("455.00")
    assert max_affordable_instalment(m("1000.00"), m("1200.00")) == Money.zero()


def test_unknown_housing_costs_or_premium_are_warned_about() -> None:
    warnings = single("3000", housing=None, premium=None).warnings
    assert len(warnings) == 2
    assert "housing costs unknown" in warnings[0]
    assert "health premium unknown" in warnings[1]


def test_an_unconfirmed_row_in_use_produces_a_warning() -> None:
    result = protected_income(
        on=ON,
        household=Household.COUPLE,
        net_income=m("3000"),
        housing_costs=m("0"),
        health_premium=m("0"),
        table=TABLE,
    )
    assert result.amount == m("1425.00")
    assert len(result.warnings) == 1
    assert "unconfirmed" in result.warnings[0]
    assert "couple" in result.warnings[0]


def test_a_row_past_the_next_indexation_date_is_warned_about() -> None:
    stale = single("3000", on=date(2026, 1, 1)).warnings
    assert len(stale) == 1
    assert "may be too low" in stale[0]
    assert single("3000", on=date(2025, 12, 31)).warnings == ()


def test_no_norm_for_the_household_or_the_date() -> None:
    with pytest.raises(ProtectedIncomeTableError):
        single("3000", on=date(2024, 12, 31))
    with pytest.raises(ProtectedIncomeTableError):
        protected_income(
            on=ON,
            household=Household.SINGLE_PARENT,
            net_income=m("3000"),
            housing_costs=None,
            health_premium=None,
            table=TABLE,
        )


def test_negative_inputs_are_refused() -> None:
    with pytest.raises(MoneyError):
        single("-1")
    with pytest.raises(MoneyError):
        single("3000", housing="-1")
    with pytest.raises(MoneyError):
        single("3000", premium="-1")


def test_table_validation() -> None:
    with pytest.raises(ProtectedIncomeTableError, match="two rows"):
        ProtectedIncomeTable("t", (TABLE.rows[0], TABLE.rows[0]))
    with pytest.raises(ProtectedIncomeTableError, match="negative"):
        ProtectedIncomeTable("t", (row(date(2025, 1, 1), Household.SINGLE, "-1"),))
    with pytest.raises(ProtectedIncomeTableError, match="malformed"):
        parse_protected_income_table({"version": "x", "rows": [{"from": "2025-01-01", "household": "nobody"}]})
    with pytest.raises(ProtectedIncomeTableError, match="malformed"):
        parse_protected_income_table({"rows": []})


def test_shipped_table_covers_every_household_and_marks_unverified_figures() -> None:
    table = shipped_protected_income_table()
    assert table.version
    assert {r.household for r in table.rows} == set(Household)
    first = min(r.valid_from for r in table.rows)
    assert first >= date(2021, 1, 1)  # the 95% rule applies from 2021
    for r in table.rows:
        assert r.source
        if not r.confirmed:
            assert r.source == "to be confirmed against the official publication"
    for household in Household:
        dates = {r.valid_from for r in table.rows if r.household is household}
        assert dates == {r.valid_from for r in table.rows}  # every household in every version


def test_shipped_table_yields_the_unconfirmed_warning() -> None:
    result = protected_income(
        on=date(2025, 3, 1),
        household=Household.SINGLE,
        net_income=m("2000"),
        housing_costs=m("0"),
        health_premium=m("0"),
        table=shipped_protected_income_table(),
    )
    assert result.amount == m("1278.18")  # 95% of 1,345.45
    assert any("unconfirmed" in w for w in result.warnings)


amounts = st.integers(min_value=0, max_value=1_000_000).map(Money)
maybe_amounts = st.none() | amounts


@given(
    household=st.sampled_from(list(Household)),
    on=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    net=amounts,
    housing=maybe_amounts,
    premium=maybe_amounts,
)
def test_protected_income_never_exceeds_net_income_and_the_instalment_is_never_negative(
    household: Household, on: date, net: Money, housing: Money | None, premium: Money | None
) -> None:
    result = protected_income(
        on=on,
        household=household,
        net_income=net,
        housing_costs=housing,
        health_premium=premium,
        table=shipped_protected_income_table(),
    )
    assert Money.zero() <= result.amount <= net
    instalment = max_affordable_instalment(net, result)
    assert not instalment.is_negative()
    assert instalment + result.amount == net


@given(net=amounts, low=amounts, extra=amounts)
def test_higher_housing_costs_never_lower_the_protected_income(net: Money, low: Money, extra: Money) -> None:
    assert single(str(net), housing=str(low)).amount <= single(str(net), housing=str(low + extra)).amount
