"""The quote's warnings and errors in the reader's language: the domain gives codes and values, this words them."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.utils import formats
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_noop as _noop

from incasso.domain import wording
from incasso.domain.quote import (
    ERROR_BEFORE_FIRST_RATE,
    ERROR_DUPLICATE_CLAIM,
    ERROR_NEGATIVE_PAYMENT,
    ERROR_NEGATIVE_PRINCIPAL,
    ERROR_NO_CLAIMS,
    ERROR_PAYMENT_AFTER_AS_OF,
    NOTICE_COSTS_NOT_DUE,
    NOTICE_RATE_UNCONFIRMED,
    QuoteError,
    QuoteNotice,
    notice_english,
)

# The notes of the shipped rate tables' unconfirmed rows (the only ones a notice shows), marked here so their
# translations are kept; a note an administrator writes in INCASSO_INTEREST_RATES_FILE is shown as written.
RATE_SOURCE_NOTES = (_noop("ECB MRO 2.15% + 8 expected; unconfirmed in LEGAL.md section 3"),)
# "Assumed unchanged" notes carry an ISO date: worded here with the date as the reader writes it, for any date.
_ASSUMED_UNCHANGED = re.compile(
    r"assumed unchanged from (\d{4}-\d{2}-\d{2}); confirm against the Staatsblad before relying on it"
)


def _day(value: object) -> str:
    if not isinstance(value, datetime.date):
        return str(value)
    return wording.date_text(value, wording.reader_language(get_language() or settings.LANGUAGE_CODE))


def rate_source_text(source: str) -> str:
    """A rate table row's source note in the active language: a known note translated, its dates localised."""
    assumed = _ASSUMED_UNCHANGED.fullmatch(source)
    if assumed is not None:
        try:
            since = datetime.date.fromisoformat(assumed.group(1))
        except ValueError:
            return source
        return gettext("assumed unchanged since %(day)s; confirm against the Staatsblad before relying on it") % {
            "day": _day(since)
        }
    return gettext(source) if source else source


def quote_notice_text(notice: QuoteNotice) -> str:
    """One notice, translated into the active language (English wording of the domain for an unknown code)."""
    values = notice.values
    if notice.code == NOTICE_COSTS_NOT_DUE:
        return gettext("Collection costs are not due before %(day)s.") % {"day": _day(values["due_from"])}
    if notice.code == NOTICE_RATE_UNCONFIRMED:
        rate = values["rate"]
        return gettext("The interest rate of %(rate)s%% from %(day)s is unconfirmed (source: %(source)s).") % {
            "rate": formats.number_format(rate) if isinstance(rate, Decimal) else str(rate),
            "day": _day(values["start"]),
            "source": rate_source_text(str(values["source"])),
        }
    return notice_english(notice)


def quote_notices_text(notices: tuple[QuoteNotice, ...]) -> list[str]:
    return [quote_notice_text(notice) for notice in notices]


def quote_error_text(error: QuoteError) -> str:
    """Why a case has no quote, in the active language (the domain's English message for an unknown code)."""
    values = error.values
    if error.code == ERROR_NO_CLAIMS:
        return gettext("The case has no claims.")
    if error.code == ERROR_DUPLICATE_CLAIM:
        return gettext("Invoice %(claim)s appears more than once.") % {"claim": values["claim"]}
    if error.code == ERROR_NEGATIVE_PRINCIPAL:
        return gettext("The principal of invoice %(claim)s is negative.") % {"claim": values["claim"]}
    if error.code == ERROR_NEGATIVE_PAYMENT:
        return gettext("The payment of %(day)s is negative.") % {"day": _day(values["date"])}
    if error.code == ERROR_PAYMENT_AFTER_AS_OF:
        return gettext("The payment of %(day)s is dated after %(as_of)s.") % {
            "day": _day(values["date"]),
            "as_of": _day(values["as_of"]),
        }
    if error.code == ERROR_BEFORE_FIRST_RATE:
        if values["kind"] == "commercial":
            text = gettext(
                "Interest on invoice %(claim)s runs from %(day)s, "
                "before the first commercial interest rate (%(first)s)."
            )
        else:
            text = gettext(
                "Interest on invoice %(claim)s runs from %(day)s, before the first statutory interest rate (%(first)s)."
            )
        return text % {"claim": values["claim"], "day": _day(values["day"]), "first": _day(values["first"])}
    return str(error)
