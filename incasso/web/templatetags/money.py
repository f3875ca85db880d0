"""Amounts and dates in the user's language, for every portal: ``{% load money %}``.

``{{ cents|money }}`` renders integer cents (or a ``Money``) as ``€ 1.234,56`` in Dutch (no-break space) and
``€1,234.56`` in English, in the active Django language; ``{{ value|localdate }}`` a date or datetime as
``22 nov 2026`` / ``22 Nov 2026`` (``{{ value|localdate:"long" }}`` for other babel formats) and
``{{ value|localdatetime }}`` with the time in the site's time zone. ``None`` renders as an empty string, so
optional fields need no ``if``. The wording itself is ``incasso.domain.wording``'s, shared with letters and notes.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from babel.dates import format_datetime
from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from incasso.domain import wording
from incasso.domain.money import Money

register = template.Library()


def active_language() -> str:
    """The active Django language as the wording module knows it: ``nl`` or ``en``."""
    return wording.reader_language(get_language() or settings.LANGUAGE_CODE)


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
    return wording.money_screen(Money(cents, currency), active_language())


@register.filter
def percent(value: object, digits: int = 2) -> str:
    """A ``Decimal`` percentage (``8.15``) as ``8,15%`` / ``8.15%``."""
    if value is None or value == "":
        return ""
    return wording.percent_text(Decimal(str(value)), active_language(), digits)


@register.filter
def localdate(value: datetime.date | datetime.datetime | None, style: str = "medium") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return wording.date_text(value, active_language(), style)


@register.filter
def localdatetime(value: datetime.datetime | None, style: str = "medium") -> str:
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return format_datetime(value, format=style, locale=wording.babel_locale(active_language()))
