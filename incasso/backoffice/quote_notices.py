"""The quote's warnings in the reader's language: the domain gives codes and values, this words them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext

from incasso.domain.quote import NOTICE_COSTS_NOT_DUE, NOTICE_RATE_UNCONFIRMED, QuoteNotice, notice_english


def _day(value: object) -> str:
    return formats.date_format(value) if isinstance(value, datetime.date) else str(value)


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
            "source": values["source"],
        }
    return notice_english(notice)


def quote_notices_text(notices: tuple[QuoteNotice, ...]) -> list[str]:
    return [quote_notice_text(notice) for notice in notices]
