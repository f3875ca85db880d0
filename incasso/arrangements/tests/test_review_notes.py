"""The review notes word amounts and dates as letters do, in the active language."""

import datetime

from django.utils import translation

from incasso.arrangements.review_notes import review_note_text
from incasso.domain.arrangement import NOTE_BELOW_MINIMUM
from incasso.domain.money import Money
from incasso.domain.protected_income import NOTE_NORM_UNCONFIRMED, Household, ReviewNote

BELOW_MINIMUM = ReviewNote(NOTE_BELOW_MINIMUM, {"instalment": Money(2_550), "minimum": Money(123_456)})
UNCONFIRMED = ReviewNote(
    NOTE_NORM_UNCONFIRMED, {"household": Household.SINGLE, "from": datetime.date(2026, 7, 1), "source": "Stcrt."}
)


def test_amounts_in_dutch_and_english():
    with translation.override("nl"):
        text = review_note_text(BELOW_MINIMUM)
    assert "€ 25,50" in text and "€ 1.234,56" in text
    with translation.override("en"):
        assert review_note_text(BELOW_MINIMUM) == (
            "An instalment of €25.50 is below the client's minimum of €1,234.56."
        )


def test_dates_in_dutch_and_english():
    with translation.override("nl"):
        assert "1 juli 2026" in review_note_text(UNCONFIRMED)
    with translation.override("en"):
        assert "of 1 July 2026 is unconfirmed" in review_note_text(UNCONFIRMED)
