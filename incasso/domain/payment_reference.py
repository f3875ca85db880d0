"""Structured creditor references (ISO 11649, "RF references") for payments to the agency.

Every letter asks the debtor to pay with a reference the bank statement import can match to one case without
guessing (C-9). The RF reference is the international standard for that: "RF", two check digits and up to 21
letters or digits. Banks validate the check digits when the debtor types the reference, so a typo is caught at
the bank rather than ending up in the unmatched-payments queue.

The check digits are ISO 7064 MOD 97-10, the same as in an IBAN: move "RF" and the check digits to the end,
replace letters by numbers (A=10 ... Z=35), and the whole number modulo 97 must be 1.
"""

from __future__ import annotations

import re

MAX_BASE_LENGTH = 21
_BASE = re.compile(r"^[A-Z0-9]{1,21}$")
_REFERENCE = re.compile(r"^RF[0-9]{2}[A-Z0-9]{1,21}$")
_SEPARATORS = re.compile(r"[\s]+")


def _compact(text: str) -> str:
    """The reference without spaces, in capitals: people and banks write it in groups of four."""
    return _SEPARATORS.sub("", text).upper()


def _mod97(text: str) -> int:
    """``text`` (capitals and digits) read as a number with A=10 ... Z=35, modulo 97."""
    remainder = 0
    for char in text:
        value = int(char, 36)  # "0"-"9" -> 0-9, "A"-"Z" -> 10-35
        remainder = (remainder * (100 if value > 9 else 10) + value) % 97
    return remainder


def rf_reference(base: str) -> str:
    """The RF reference for ``base`` (1 to 21 letters or digits; spaces are ignored), e.g. ``RF18539007547034``."""
    compact = _compact(base)
    if not _BASE.match(compact):
        raise ValueError(f"an RF reference holds 1 to {MAX_BASE_LENGTH} letters or digits, got {base!r}")
    check = 98 - _mod97(compact + "RF00")
    return f"RF{check:02d}{compact}"


def is_valid_rf(text: str) -> bool:
    """Whether ``text`` is a well-formed RF reference whose check digits match (spaces allowed, any case)."""
    compact = _compact(text)
    if not _REFERENCE.match(compact):
        return False
    return _mod97(compact[4:] + compact[:4]) == 1


def rf_for_case(case_number: str) -> str:
    """The RF reference of a case: its number's digits ("2026-000123" -> reference over "2026000123").

    Digits only, so a reference read out over the phone or typed in a banking app has no letters to confuse;
    case numbers are unique, so their digits are too as long as the number format keeps its separators fixed.
    """
    digits = "".join(char for char in case_number if char.isdigit())
    if not digits:
        raise ValueError(f"case number {case_number!r} has no digits to build a payment reference from")
    return rf_reference(digits)


def rf_grouped(reference: str) -> str:
    """The reference in groups of four, the way it is printed on paper ("RF18 5390 0754 7034")."""
    compact = _compact(reference)
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
