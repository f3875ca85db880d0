"""The quote's notices in the reader's language, the rate table's source note included."""

import datetime
import re
from decimal import Decimal

from django.utils import translation

from incasso.backoffice.quote_notices import RATE_SOURCE_NOTES, quote_notice_text, rate_source_text
from incasso.domain.interest import shipped_rate_tables
from incasso.domain.quote import NOTICE_RATE_UNCONFIRMED, QuoteNotice


def _unconfirmed(source: str) -> QuoteNotice:
    values = {"rate": Decimal("4.00"), "start": datetime.date(2025, 7, 1), "source": source}
    return QuoteNotice(NOTICE_RATE_UNCONFIRMED, values)


def test_the_source_note_of_an_unconfirmed_rate_is_shown_in_dutch():
    source = "assumed unchanged from 2025-01-01; confirm against the Staatsblad before relying on it"
    with translation.override("nl"):
        text = quote_notice_text(_unconfirmed(source))
    assert text.startswith("Het rentepercentage van 4,00% vanaf 1 juli 2025 is nog niet bevestigd")
    assert "(bron: aangenomen ongewijzigd sinds 1 januari 2025; controleer dit in het Staatsblad" in text
    assert "2025-01-01" not in text
    with translation.override("en"):
        english = quote_notice_text(_unconfirmed(source))
    assert "(source: assumed unchanged since 1 January 2025; confirm against the Staatsblad" in english


def test_every_unconfirmed_row_of_the_shipped_tables_has_a_dutch_source_note():
    sources = {row.source for table in shipped_rate_tables().values() for row in table.rows if not row.confirmed}
    with translation.override("nl"):
        worded = {source: rate_source_text(source) for source in sources}
    assert all(text != source and not re.search(r"\d{4}-\d{2}-\d{2}", text) for source, text in worded.items())
    assert {s for s in sources if "assumed unchanged" not in s} <= set(RATE_SOURCE_NOTES)


def test_a_note_without_a_translation_is_shown_as_written():
    with translation.override("nl"):
        assert "(bron: Stb. 2099, 1)" in quote_notice_text(_unconfirmed("Stb. 2099, 1"))
