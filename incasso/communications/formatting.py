"""Amounts, dates and IBANs as a Dutch or English reader expects them on paper.

Formatted here, in Python, so the templates print finished text and never compute or round anything. Amounts and
dates are worded by ``incasso.domain.wording`` (the same words the screens and decision explanations use, with a
plain space as letters are text); this module adds the letters' own rules: euro amounts only, IBANs in groups.
"""

from __future__ import annotations

from incasso.domain import wording
from incasso.domain.money import Money
from incasso.domain.wording import date_long_text, date_text

__all__ = ["date_long_text", "date_text", "iban_text", "money_text"]


def money_text(amount: Money, language: str) -> str:
    """``€ 1.234,56`` in Dutch, ``€1,234.56`` in English, exact to the cent; letters print euro amounts only."""
    if amount.currency != "EUR":
        raise ValueError(f"letters print euro amounts only, got {amount.currency}")
    return wording.money_text(amount, language)


def iban_text(iban: str) -> str:
    """An IBAN in groups of four, as banks print it."""
    compact = iban.replace(" ", "").upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
