"""Why a payment plan needs a person, in words: the domain gives codes and values, this words them in the active
language (the language the task title is written in), for the arrangement's review reasons and the review task."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import get_language, gettext, pgettext

from incasso.domain import wording
from incasso.domain.arrangement import (
    NOTE_BELOW_MINIMUM,
    NOTE_BELOW_PROTECTED_INCOME,
    NOTE_NO_INSTALMENTS,
    NOTE_NOTHING_TO_PAY,
    NOTE_PROTECTED_INCOME_UNKNOWN,
    NOTE_TOO_LONG,
)
from incasso.domain.money import Money
from incasso.domain.protected_income import (
    NOTE_HOUSING_UNKNOWN,
    NOTE_NORM_MAY_BE_STALE,
    NOTE_NORM_UNCONFIRMED,
    NOTE_PREMIUM_UNKNOWN,
    Household,
    ReviewNote,
)


def _language() -> str:
    return wording.reader_language(get_language() or settings.LANGUAGE_CODE)


def _amount(value: object) -> str:
    return wording.money_text(value, _language()) if isinstance(value, Money) else str(value)


def _day(value: object) -> str:
    return wording.date_text(value, _language()) if isinstance(value, datetime.date) else str(value)


def _household(value: object) -> str:
    names: dict[str, str] = {
        Household.SINGLE: pgettext("household", "single person"),
        Household.SINGLE_PARENT: pgettext("household", "single parent"),
        Household.COUPLE: pgettext("household", "couple"),
        Household.COUPLE_WITH_CHILDREN: pgettext("household", "couple with children"),
    }
    return names.get(str(value), str(value))


def review_note_text(note: ReviewNote) -> str:
    values = note.values
    if note.code == NOTE_NO_INSTALMENTS:
        return gettext("A plan needs at least one instalment.")
    if note.code == NOTE_NOTHING_TO_PAY:
        return gettext("There is nothing left to pay.")
    if note.code == NOTE_TOO_LONG:
        return gettext("%(months)s months is longer than the client allows (%(max_months)s months).") % values
    if note.code == NOTE_BELOW_MINIMUM:
        return gettext("An instalment of %(instalment)s is below the client's minimum of %(minimum)s.") % {
            "instalment": _amount(values["instalment"]),
            "minimum": _amount(values["minimum"]),
        }
    if note.code == NOTE_BELOW_PROTECTED_INCOME:
        return gettext(
            "An instalment of %(instalment)s would leave less than the protected income of %(protected)s "
            "(at most %(affordable)s a month is affordable)."
        ) % {
            "instalment": _amount(values["instalment"]),
            "protected": _amount(values["protected"]),
            "affordable": _amount(values["affordable"]),
        }
    if note.code == NOTE_PROTECTED_INCOME_UNKNOWN:
        return gettext("The income is known but the protected income could not be determined.")
    return _protected_income_note_text(note)


def _protected_income_note_text(note: ReviewNote) -> str:
    values = note.values
    if note.code == NOTE_NORM_UNCONFIRMED:
        return gettext(
            "The norm for a %(household)s of %(day)s is unconfirmed (source: %(source)s); do not rely on this "
            "protected income until an administrator confirms it."
        ) % {"household": _household(values["household"]), "day": _day(values["from"]), "source": values["source"]}
    if note.code == NOTE_NORM_MAY_BE_STALE:
        return gettext(
            "The newest norm for a %(household)s in table %(table)s is from %(day)s; norms change every 1 January "
            "and 1 July, so this protected income may be too low."
        ) % {"household": _household(values["household"]), "table": values["table"], "day": _day(values["from"])}
    if note.code == NOTE_HOUSING_UNKNOWN:
        return gettext("Housing costs unknown: no housing raise applied, so this protected income may be too low.")
    if note.code == NOTE_PREMIUM_UNKNOWN:
        return gettext("Health premium unknown: no premium raise applied, so this protected income may be too low.")
    return f"{note.code}: {dict(values)}"


def review_notes_text(notes: Iterable[ReviewNote]) -> str:
    """The notes one per line, as stored in ``Arrangement.review_reasons`` and the review task's details."""
    return "\n".join(review_note_text(note) for note in notes)
