"""Money as integer cents in one currency.

Amounts never pass through float. Arithmetic on ``Money`` stays in cents; where a legal rule produces a fraction
of a cent (interest, collection costs) the rule computes a ``Decimal`` and :func:`Money.from_decimal` rounds it half
up, which is the rounding the Dutch rules prescribe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from fractions import Fraction

CENT = Decimal("0.01")
# Plenty of digits for cents x rate x days products; the default context's 28 would also do, but be explicit.
CALCULATION_CONTEXT = Context(prec=60)

# ASCII digits only: Python's Decimal (and ``\d``) would take Arabic-Indic or full-width digits as numbers too.
_AMOUNT_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class MoneyError(ValueError):
    """A value that cannot be an amount of money."""


def parse_decimal_text(text: str) -> Decimal:
    """Parse plain decimal notation (``"12.50"``); exponents, ``NaN``, blanks (around the number too), thousand
    separators and digits other than 0-9 are errors. A door that allows spaces around a value strips them itself."""
    if not _AMOUNT_TEXT.fullmatch(text):
        raise MoneyError(f"{text!r} is not a number")
    return Decimal(text)


@dataclass(frozen=True, order=True, slots=True)
class Money:
    cents: int
    currency: str = "EUR"

    @classmethod
    def zero(cls, currency: str = "EUR") -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, value: str | int | Decimal, currency: str = "EUR") -> Money:
        """An exact amount: at most two decimals, never rounded (``"1.005"`` is an error, not ``1.01``)."""
        if isinstance(value, bool):
            raise MoneyError("a boolean is not an amount")
        if isinstance(value, str):
            amount = parse_decimal_text(value)
            decimals = len(value.partition(".")[2])
        elif isinstance(value, int):
            amount, decimals = Decimal(value), 0
        else:
            if not value.is_finite():
                raise MoneyError(f"{value} is not a finite amount")
            amount = value
            exponent = value.as_tuple().exponent
            decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if decimals > 2:
            raise MoneyError(f"{value} has more than two decimals")
        return cls(int(amount * 100), currency)

    @classmethod
    def from_decimal(cls, amount: Decimal, currency: str = "EUR") -> Money:
        """Round an exact euro amount half up to whole cents."""
        try:
            with localcontext(CALCULATION_CONTEXT):
                cents = (amount / CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        except InvalidOperation as exc:
            raise MoneyError(f"{amount} cannot be rounded to cents") from exc
        return cls(int(cents), currency)

    @classmethod
    def from_exact_cents(cls, cents: Fraction, currency: str = "EUR") -> Money:
        """Round an exact number of cents half up (away from zero) to whole cents."""
        magnitude = (abs(cents) * 2 + 1) // 2
        return cls(int(magnitude) if cents >= 0 else -int(magnitude), currency)

    @property
    def amount(self) -> Decimal:
        return (Decimal(self.cents) * CENT).quantize(CENT)

    def _check(self, other: Money) -> None:
        if self.currency != other.currency:
            raise MoneyError(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.cents + other.cents, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.cents - other.cents, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.cents, self.currency)

    def __bool__(self) -> bool:
        return self.cents != 0

    def is_negative(self) -> bool:
        return self.cents < 0

    def min(self, other: Money) -> Money:
        self._check(other)
        return self if self.cents <= other.cents else other

    def __str__(self) -> str:
        """Two decimals, no currency sign: the form the API and the CLI print."""
        sign = "-" if self.cents < 0 else ""
        whole, cents = divmod(abs(self.cents), 100)
        return f"{sign}{whole}.{cents:02d}"


def money_sum(amounts: list[Money] | tuple[Money, ...], currency: str = "EUR") -> Money:
    total = Money.zero(currency)
    for amount in amounts:
        total = total + amount
    return total
