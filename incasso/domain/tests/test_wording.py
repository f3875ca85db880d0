"""Amounts and dates in Dutch and English: the one module every screen, letter, note and explanation uses."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.money import Money
from incasso.domain.wording import (
    date_long_text,
    date_text,
    money_screen,
    money_text,
    percent_text,
    reader_language,
)

NBSP = "\xa0"


def _letters_money_before(cents: int, language: str) -> str:
    """The hand-written form letters and decision explanations printed before this module (kept as the reference)."""
    thousands, decimals = {"nl": (".", ","), "en": (",", ".")}[language]
    whole, rest = divmod(abs(cents), 100)
    digits = f"{whole:,}".replace(",", thousands)
    sign = "-" if cents < 0 else ""
    space = " " if language == "nl" else ""
    return f"{sign}€{space}{digits}{decimals}{rest:02d}"


@pytest.mark.parametrize(
    ("cents", "nl", "en"),
    [
        (0, "€ 0,00", "€0.00"),
        (1, "€ 0,01", "€0.01"),
        (5, "€ 0,05", "€0.05"),
        (99, "€ 0,99", "€0.99"),
        (100, "€ 1,00", "€1.00"),
        (-1, "-€ 0,01", "-€0.01"),
        (-1250, "-€ 12,50", "-€12.50"),
        (99_999, "€ 999,99", "€999.99"),
        (100_000, "€ 1.000,00", "€1,000.00"),
        (123_456, "€ 1.234,56", "€1,234.56"),
        (-123_456_789, "-€ 1.234.567,89", "-€1,234,567.89"),
        (1_000_000_000_00, "€ 1.000.000.000,00", "€1,000,000,000.00"),
    ],
)
def test_amounts_as_text_and_on_screen(cents, nl, en):
    assert money_text(Money(cents), "nl") == nl
    assert money_text(Money(cents), "en") == en
    assert money_screen(Money(cents), "nl") == nl.replace(" ", NBSP)  # the no-break space keeps € with its amount
    assert money_screen(Money(cents), "en") == en


def test_text_never_has_a_no_break_space_and_the_screen_never_a_plain_one():
    assert NBSP not in money_text(Money(123_456), "nl")
    assert " " not in money_screen(Money(-123_456), "nl")


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["nl", "en"]))
def test_the_text_form_is_what_letters_and_explanations_always_printed(cents, language):
    assert money_text(Money(cents), language) == _letters_money_before(cents, language)


@given(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.sampled_from(["nl", "en"]),
    st.sampled_from(["EUR", "USD", "GBP"]),
)
def test_the_screen_form_is_babels_with_the_sign_first(cents, language, currency):
    locale = {"nl": "nl_NL", "en": "en_GB"}[language]
    unsigned = format_currency(Decimal(abs(cents)) / 100, currency, locale=locale)
    expected = f"-{unsigned}" if cents < 0 else unsigned
    assert money_screen(Money(cents, currency), language) == expected
    assert money_text(Money(cents, currency), language) == expected.replace(NBSP, " ")


def test_another_currency_keeps_its_own_symbol():
    assert money_text(Money(123_456, "USD"), "en") == "US$1,234.56"
    assert money_text(Money(-50, "USD"), "nl") == "-US$ 0,50"


def test_dates_in_each_language():
    day = datetime.date(2024, 9, 16)
    assert date_text(day, "nl") == "16 september 2024"
    assert date_text(day, "en") == "16 September 2024"
    assert date_long_text(day, "nl") == "maandag 16 september 2024"
    assert date_long_text(day, "en") == "Monday 16 September 2024"
    assert date_text(datetime.date(2026, 3, 1), "nl", "medium") == "1 mrt 2026"
    assert date_text(datetime.date(2026, 3, 1), "en", "medium") == "1 Mar 2026"
    assert date_text(datetime.datetime(2026, 3, 1, 23, 59), "en") == "1 March 2026"  # the date of a moment


def test_percentages():
    assert percent_text(Decimal("8.15"), "nl") == "8,15%"
    assert percent_text(Decimal("1234.5"), "en", 1) == "1,234.5%"
    assert percent_text(Decimal("4"), "nl", 0) == "4%"


def test_only_dutch_and_english_are_worded():
    with pytest.raises(ValueError, match="nl, en only"):
        money_text(Money(1), "de")
    with pytest.raises(ValueError, match="nl, en only"):
        date_text(datetime.date(2024, 1, 1), "fr")


@pytest.mark.parametrize(
    ("code", "language"),
    [("nl", "nl"), ("nl-be", "nl"), ("NL_nl", "nl"), ("en", "en"), ("en-us", "en"), ("de", "en"), (None, "en")],
)
def test_reader_language(code, language):
    assert reader_language(code) == language
