from decimal import Decimal

import pytest

from incasso.domain.money import Money, MoneyError, money_sum


@pytest.mark.parametrize(
    ("text", "cents"),
    [("0", 0), ("12", 1200), ("12.5", 1250), ("12.50", 1250), ("0.01", 1), ("-3.10", -310)],
)
def test_parse_exact_amounts(text, cents):
    assert Money.parse(text).cents == cents


@pytest.mark.parametrize(
    "text",
    [
        *("1.005", "abc", "", "1e3", "NaN", "1,50", "1.2.3", "--1", "Infinity"),
        *(" 7.00 ", "7.00\n", "\u0661\u0662", "\uff11\uff12.50", "1_000"),  # blanks, non-ASCII digits, underscores
    ],
)
def test_parse_rejects_what_is_not_an_exact_amount(text):
    with pytest.raises(MoneyError):
        Money.parse(text)


def test_parse_decimal_and_int_and_rejects_bool():
    assert Money.parse(Decimal("2.30")).cents == 230
    assert Money.parse(5).cents == 500
    with pytest.raises(MoneyError):
        Money.parse(Decimal("2.301"))
    with pytest.raises(MoneyError):
        Money.parse(True)
    with pytest.raises(MoneyError):
        Money.parse(Decimal("NaN"))


@pytest.mark.parametrize(
    ("exact", "cents"),
    [("0.005", 1), ("0.0049999", 0), ("-0.005", -1), ("308.2191780", 30822), ("2.675", 268)],
)
def test_from_decimal_rounds_half_up(exact, cents):
    assert Money.from_decimal(Decimal(exact)).cents == cents


def test_arithmetic_and_formatting():
    a, b = Money.parse("10.05"), Money.parse("0.10")
    assert str(a + b) == "10.15"
    assert str(b - a) == "-9.95"
    assert str(-b) == "-0.10"
    assert a.min(b) == b
    assert str(money_sum([a, b, b])) == "10.25"
    assert not Money.zero()
    assert Money.parse("1.1").amount == Decimal("1.10")


def test_from_exact_cents_rounds_half_up_away_from_zero():
    from fractions import Fraction

    assert Money.from_exact_cents(Fraction(1, 2)).cents == 1
    assert Money.from_exact_cents(Fraction(-1, 2)).cents == -1
    assert Money.from_exact_cents(Fraction(49, 100)).cents == 0
    assert Money.from_exact_cents(Fraction(3, 2)).cents == 2


def test_currencies_do_not_mix():
    with pytest.raises(MoneyError):
        Money(100, "EUR") + Money(100, "USD")
