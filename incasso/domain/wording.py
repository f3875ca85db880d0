"""An amount or a date as a person reads it, in Dutch or English: the one place that words them.

Babel supplies the locale data (separators, currency symbol and its placement, month and weekday names); Dutch is
read as ``nl_NL``, English as ``en_GB`` (European date order, ``16 September 2024``). Two choices are made here on
purpose and hold for every caller:

* **The minus sign comes first**, before the currency symbol: ``-€ 12,50`` / ``-€12.50``. This is what letters
  and decision explanations have always printed; CLDR's Dutch pattern would give ``€ -12,50``, which would change
  stored explanations and letters, so screens follow the letters instead (one form for a debtor comparing both).
* **Two output styles, differing only in the space after ``€`` in Dutch.** ``money_text`` writes a plain space,
  for text that is stored, printed, mailed or compared (letters, decision explanations, review notes):
  ``€ 1.234,56``. ``money_screen`` writes a no-break space (U+00A0) so a browser never wraps ``€`` away from its
  amount: ``€\\xa01.234,56``. English has no space, so both styles give ``€1,234.56``.

Amounts are exact: integer cents, always two decimals, never a float. Babel's own ``format_currency`` costs about
12 µs an amount, too slow for a night's letter batch, so the currency format's shape (text before the digits, the
grouping and decimal marks, text after) is learned from babel once per currency and language and applied to the
cents here; a test holds the result equal to babel's on random amounts. Dates are cached by value.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from incasso.domain.money import Money

LANGUAGES = ("nl", "en")
_BABEL_LOCALES = {"nl": "nl_NL", "en": "en_GB"}
_NBSP = "\xa0"
_WEEKDAY_DATE = "EEEE d MMMM y"  # maandag 16 september 2024 / Monday 16 September 2024 (no comma)


def reader_language(code: str | None) -> str:
    """``nl`` for any Dutch language code (``nl``, ``nl-be``), ``en`` for everything else, as the screens do."""
    return "nl" if (code or "").lower().replace("_", "-").split("-")[0] == "nl" else "en"


@cache
def babel_locale(language: str) -> Locale:
    """The babel locale a reader of ``nl`` or ``en`` expects; any other language is a programming error."""
    if language not in _BABEL_LOCALES:
        raise ValueError(f"amounts and dates are worded in {', '.join(LANGUAGES)} only, not {language!r}")
    return Locale.parse(_BABEL_LOCALES[language])


@cache
def _currency_shape(currency: str, language: str) -> tuple[str, str, str, str]:
    """``(before, group, decimal, after)`` of babel's currency format, read off one probe amount."""
    probe = format_currency(Decimal("1234567.89"), currency, locale=babel_locale(language))
    shape = re.fullmatch(r"(\D*)1(?P<group>\D)234(?P=group)567(\D)89(\D*)", probe)
    if shape is None:
        raise ValueError(f"babel's {currency} format for {language} is not grouped by thousands: {probe!r}")
    before, group, decimal, after = shape.groups()
    return before, group, decimal, after


def _money(cents: int, currency: str, language: str) -> str:
    before, group, decimal, after = _currency_shape(currency, language)
    whole, rest = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    return f"{sign}{before}{f'{whole:,}'.replace(',', group)}{decimal}{rest:02d}{after}"


def money_text(amount: Money, language: str) -> str:
    """For text that is printed or stored: ``€ 1.234,56`` / ``€1,234.56``, ``-€ 12,50`` / ``-€12.50``."""
    return _money(amount.cents, amount.currency, language).replace(_NBSP, " ")


def money_screen(amount: Money, language: str) -> str:
    """For a web page: as ``money_text`` but ``€`` and the amount joined by a no-break space in Dutch."""
    return _money(amount.cents, amount.currency, language)


@lru_cache(maxsize=4096)
def date_text(day: datetime.date, language: str, style: str = "long") -> str:
    """``16 september 2024`` / ``16 September 2024``; ``style="medium"`` gives the short month screens use in
    tables (``16 sep 2024`` / ``16 Sept 2024``), any babel date style or pattern works."""
    if isinstance(day, datetime.datetime):
        day = day.date()
    return format_date(day, format=style, locale=babel_locale(language))


def date_long_text(day: datetime.date, language: str) -> str:
    """With the weekday, for deadlines: ``maandag 16 september 2024`` / ``Monday 16 September 2024``."""
    return date_text(day, language, _WEEKDAY_DATE)


def percent_text(value: Decimal, language: str, digits: int = 2) -> str:
    """A percentage (``Decimal("8.15")``) as ``8,15%`` / ``8.15%``, with ``digits`` decimals."""
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return f"{format_decimal(value, format=pattern, locale=babel_locale(language))}%"


# A reason line of a decision explanation whose "(it is X)" only repeats the X the rule asks for.
_ECHOED_VALUE = re.compile(r"^(- .+ (?:is|is een van|is one of) (.+)) \((?:het is|it is) \2\)$", re.MULTILINE)


def explanation_text(stored: str) -> str:
    """A stored decision explanation as a person reads it: "fase is herinnering (het is herinnering)" reads
    "fase is herinnering". Only the display changes; the stored text stays the record of what the system said."""
    return _ECHOED_VALUE.sub(r"\1", stored)
