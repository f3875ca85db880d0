"""Amounts and dates as a Dutch or English reader expects them on paper.

Formatted here, in Python, so the templates print finished text and never compute or round anything. Written
out instead of calling Babel: a night's batch formats tens of thousands of amounts, and these two languages have
fixed, simple rules.
"""

from __future__ import annotations

from datetime import date

from incasso.domain.money import Money

_MONTHS = {
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_WEEKDAYS = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_SEPARATORS = {"nl": (".", ","), "en": (",", ".")}  # (thousands, decimals)


def money_text(amount: Money, language: str) -> str:
    """``€ 1.234,56`` in Dutch, ``€1,234.56`` in English."""
    if amount.currency != "EUR":
        raise ValueError(f"letters print euro amounts only, got {amount.currency}")
    thousands, decimals = _SEPARATORS[language]
    whole, cents = divmod(abs(amount.cents), 100)
    digits = f"{whole:,}".replace(",", thousands)
    sign = "-" if amount.is_negative() else ""
    space = " " if language == "nl" else ""
    return f"{sign}€{space}{digits}{decimals}{cents:02d}"


def date_text(day: date, language: str) -> str:
    """``16 september 2024`` / ``16 September 2024``."""
    return f"{day.day} {_MONTHS[language][day.month - 1]} {day.year}"


def date_long_text(day: date, language: str) -> str:
    """With the weekday, for deadlines: ``maandag 16 september 2024`` / ``Monday 16 September 2024``."""
    return f"{_WEEKDAYS[language][day.weekday()]} {date_text(day, language)}"


def iban_text(iban: str) -> str:
    """An IBAN in groups of four, as banks print it."""
    compact = iban.replace(" ", "").upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
