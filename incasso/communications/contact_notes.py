"""The contact log as a person reads it: a letter's line is worded when it is shown, in the reader's language.

A letter that went out is logged as a ``Communication`` linked to the letter. What the line says (which letter, in
which language and template version, posted or e-mailed on which day, the total, the day to pay by and the payment
reference) is all stored as data on the letter, so it is worded here from that data, with dates and amounts as the
reader writes them, instead of a sentence fixed in one language when the batch ran. Rows logged before this
(their summary an English sentence with codes and ISO dates) are shown the same way, from their letter; a contact
without a letter (a call, a portal message) shows its subject and summary as the person wrote them.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import get_language, gettext

from incasso.communications.models import Communication, Direction, Letter, LetterChannel
from incasso.domain import wording
from incasso.domain.money import Money


@dataclass(frozen=True, slots=True)
class ContactShown:
    item: Communication
    subject: str
    note: str


@dataclass(frozen=True, slots=True)
class _LetterFacts:
    version: int | None
    total_cents: int | None
    pay_by: str | None  # ISO date, as the letter stores it


def contacts_shown(items: Sequence[Communication]) -> list[ContactShown]:
    """``items`` (with their letters selected) worded for the active language; one query for all their letters."""
    letter_ids = [item.letter_id for item in items if item.letter_id is not None and item.direction == Direction.OUT]
    facts = {
        pk: _LetterFacts(version, total, pay_by)
        for pk, version, total, pay_by in Letter.objects.filter(pk__in=letter_ids).values_list(
            "pk", "template__version", "data__cents__total", "data__pay_by_iso"
        )
    }
    language = wording.reader_language(get_language())
    shown = []
    for item in items:
        letter, found = item.letter, facts.get(item.letter_id or 0)
        if letter is None or found is None:
            shown.append(ContactShown(item, item.subject, item.summary))
        else:
            shown.append(ContactShown(item, str(letter.get_kind_display()), _letter_note(letter, found, language)))
    return shown


def _letter_note(letter: Letter, facts: _LetterFacts, language: str) -> str:
    values = {
        "language": gettext("in Dutch") if letter.language == "nl" else gettext("in English"),
        "version": facts.version if facts.version is not None else "?",
        "day": wording.date_text(letter.posted_on, language) if letter.posted_on else "—",
        "batch": letter.batch_id,
        "reference": letter.rf_reference,
    }
    if letter.batch_id is not None and letter.channel == LetterChannel.POST:
        head = gettext(
            "Written %(language)s (template version %(version)s), posted on %(day)s in print batch %(batch)s."
        )
    else:
        head = gettext("Written %(language)s (template version %(version)s), e-mailed on %(day)s.")
    parts = [head % values]
    if facts.total_cents is not None:
        total = wording.money_screen(Money(int(facts.total_cents)), language)
        parts.append(gettext("Total %(total)s.") % {"total": total})
    pay_by = _iso_day(facts.pay_by)
    if pay_by is not None:
        parts.append(gettext("To pay by %(day)s.") % {"day": wording.date_text(pay_by, language)})
    parts.append(gettext("Payment reference %(reference)s.") % values)
    return " ".join(parts)


def _iso_day(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None
