"""The printed values, without a database: never a too-early 14-day date, amounts formatted per language."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incasso.communications.formatting import date_long_text, iban_text, money_text
from incasso.communications.letter_data import (
    Agency,
    LetterDataError,
    LetterFacts,
    Recipient,
    address_lines,
    letter_data_build,
)
from incasso.domain.fourteen_day_letter import fourteen_day_term
from incasso.domain.interest import InterestKind, shipped_rate_tables
from incasso.domain.money import Money
from incasso.domain.quote import ClaimInput, QuoteRequest, quote_calculate

AGENCY = Agency(
    "Agency", ("Straat 1", "1000 AA Amsterdam"), "WKI-1", "12345678", "NL91ABNA0417164300", "https://c", "https://p"
)
JAN = Recipient("Jan de Vries", "Kerkstraat 12", "1012 AB", "Amsterdam", "NL", consumer=True)


def _facts(posted, kind="fourteen_day_letter", recipient=JAN, due=datetime.date(2024, 1, 31)):
    request = QuoteRequest(InterestKind.STATUTORY, posted, (ClaimInput("F-1", Money.parse("300.00"), due),))
    return LetterFacts(
        1,
        kind,
        "nl",
        "2024-000001",
        "Acme",
        "RF332024000001",
        recipient,
        posted,
        request,
        quote_calculate(request, shipped_rate_tables()),
        False,
        {},
    )


@settings(max_examples=300)
@given(st.dates(min_value=datetime.date(2024, 2, 1), max_value=datetime.date(2027, 12, 31)))
def test_the_printed_last_day_is_never_too_early(posted):
    data = letter_data_build(_facts(posted), AGENCY)
    printed = datetime.date.fromisoformat(data["fourteen_day"]["last_day_iso"])
    assert printed >= fourteen_day_term(posted).term_last_day
    assert data["fourteen_day"]["last_day"] == date_long_text(printed, "nl")


def test_costs_without_vat_for_a_client_that_deducts_it():
    data = letter_data_build(_facts(datetime.date(2024, 8, 29)), AGENCY)
    assert data["fourteen_day"]["costs"] == "€ 45,00"  # 15% of 300.00
    assert data["fourteen_day"]["vat_included"] is False


def test_a_fourteen_day_letter_needs_a_consumer_in_default():
    company = Recipient("Acme B.V.", "Weg 1", "1000 AA", "Amsterdam", "NL", consumer=False)
    with pytest.raises(LetterDataError, match="consumers only"):
        letter_data_build(_facts(datetime.date(2024, 8, 29), recipient=company), AGENCY)
    with pytest.raises(LetterDataError, match="not in default"):
        letter_data_build(_facts(datetime.date(2024, 8, 29), due=datetime.date(2024, 8, 29)), AGENCY)


def test_an_arrangement_confirmation_needs_instalments():
    with pytest.raises(LetterDataError, match="instalments"):
        letter_data_build(_facts(datetime.date(2024, 8, 29), kind="arrangement_confirmation"), AGENCY)


@pytest.mark.parametrize(
    ("cents", "nl", "en"),
    [
        (0, "€ 0,00", "€0.00"),
        (5, "€ 0,05", "€0.05"),
        (123_456_789, "€ 1.234.567,89", "€1,234,567.89"),
        (-1250, "-€ 12,50", "-€12.50"),
    ],
)
def test_money_text(cents, nl, en):
    assert money_text(Money(cents), "nl") == nl
    assert money_text(Money(cents), "en") == en


def test_dates_and_iban():
    assert date_long_text(datetime.date(2024, 9, 16), "nl") == "maandag 16 september 2024"
    assert date_long_text(datetime.date(2024, 9, 16), "en") == "Monday 16 September 2024"
    assert iban_text("nl91abna0417164300") == "NL91 ABNA 0417 1643 00"


def test_foreign_addresses_end_with_the_country():
    belgian = Recipient("Marie Peeters", "Rue Haute 5", "1000", "Brussel", "BE", consumer=True)
    assert address_lines(belgian) == ["Marie Peeters", "Rue Haute 5", "1000 Brussel", "BELGIUM"]
    assert address_lines(JAN) == ["Jan de Vries", "Kerkstraat 12", "1012 AB  AMSTERDAM"]
