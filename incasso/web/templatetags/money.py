"""Amounts and dates in the user's language, for every portal: ``{% load money %}``.

``{{ cents|money }}`` renders integer cents (or a ``Money``) as ``€ 1.234,56`` in Dutch and ``€1,234.56`` in
English (babel, from the active Django language); ``{{ value|localdate }}`` a date or datetime as ``22 nov. 2026``
/ ``Nov 22, 2026`` (``{{ value|localdate:"long" }}`` for other babel formats) and ``{{ value|localdatetime }}``
with the time in the site's time zone. ``None`` renders as an empty string, so optional fields need no ``if``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from incasso.domain.money import Money

register = template.Library()
_CENT = Decimal("0.01")


def babel_locale() -> str:
    """The babel locale of the active language: ``nl_NL`` or ``en_GB`` (European date order for English)."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return "nl_NL" if language == "nl" else "en_GB"


def _cents(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, Money):
        return value.cents
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


@register.filter
def money(value: object, currency: str = "EUR") -> str:
    """Integer cents (or a ``Money``) as a currency amount in the user's language; bad input renders empty."""
    cents = _cents(value)
    if cents is None:
        return ""
    return format_currency(Decimal(cents) * _CENT, currency, locale=babel_locale())


@register.filter
def percent(value: object, digits: int = 2) -> str:
    """A ``Decimal`` percentage (``8.15``) as ``8,15%`` / ``8.15%``."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    pattern = "#,##0." + "0" * digits
    return f"{format_decimal(number, format=pattern, locale=babel_locale())}%"


@register.filter
def localdate(value: datetime.date | datetime.datetime | None, style: str = "medium") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return format_date(value, format=style, locale=babel_locale())


@register.filter
def localdatetime(value: datetime.datetime | None, style: str = "medium") -> str:
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return format_datetime(value, format=style, locale=babel_locale())
