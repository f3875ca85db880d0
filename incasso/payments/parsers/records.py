"""What every statement format is read into: one ``ParsedEntry`` per booked transaction, or a ``SkippedEntry``.

camt.053, camt.054 and MT940 differ in almost everything, so each parser only turns its format into these
records; keys, matching and booking work on the records alone and cannot drift apart per format. Text fields are
cut to the lengths the database stores, here, so one long bank field can never fail a whole chunk's insert.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple, TypedDict

# Lengths of the StatementEntry columns (models.py uses the same constants).
REFERENCE_LENGTH = 100
NAME_LENGTH = 140
IBAN_LENGTH = 34
REASON_LENGTH = 8
CURRENCY_LENGTH = 3
# camt allows many 140-character Ustrd lines; a remittance longer than this is kept cut, never refused.
REMITTANCE_LENGTH = 1_000
# SEPA's placeholder for "the payer gave no end-to-end id": never a reference to match or key on.
NOT_PROVIDED = "NOTPROVIDED"


class StatementFileError(Exception):
    """The file cannot be read at all: nothing was imported. ``message`` says why, for the person who sent it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ParsedEntry(NamedTuple):
    """One movement on the account. ``amount_cents`` is signed: a credit (money in) is positive.

    ``index`` is the entry's position in the file, counting every transaction of a batch, so a skipped entry
    and an imported one can both be found again by the person reading the summary.

    A named tuple, not a dataclass: a statement has a hundred thousand of them, made in the reader's process and
    sent to the writer's as plain tuples (``ParsedEntry._make`` turns one back), which costs a tenth of building
    and pickling a frozen dataclass; it is as immutable (``_replace`` makes a changed copy).
    """

    index: int  # type: ignore[assignment]  # a field named like tuple.index: the entry's number in the file
    account: str
    booking_date: datetime.date
    amount_cents: int
    currency: str
    value_date: datetime.date | None = None
    bank_reference: str = ""
    end_to_end_id: str = ""
    mandate_id: str = ""
    counterparty_name: str = ""
    counterparty_iban: str = ""
    remittance: str = ""
    structured_reference: str = ""
    return_reason: str = ""
    # camt RvslInd / MT940 RC, RD: the bank reverses an earlier booking of its own.
    reversal: bool = False

    @property
    def is_credit(self) -> bool:
        return self.amount_cents > 0


class EntryDetails(TypedDict, total=False):
    """The text fields of an entry a format's details reader fills in (all of ``ParsedEntry``'s string fields)."""

    bank_reference: str
    end_to_end_id: str
    mandate_id: str
    counterparty_name: str
    counterparty_iban: str
    remittance: str
    structured_reference: str
    return_reason: str


@dataclass(frozen=True, slots=True)
class SkippedEntry:
    """An entry the parser could not read; the rest of the file is still imported."""

    index: int
    reason: str


@dataclass
class StatementInfo:
    """What a file says about itself, filled in while it is read (the header precedes the entries)."""

    file_format: str = ""
    account: str = ""
    statement_id: str = ""
    accounts: set[str] = field(default_factory=set)


def clean(text: str | None, length: int) -> str:
    """Whitespace collapsed, cut to ``length``: bank files pad and wrap text freely."""
    if not text:
        return ""
    return " ".join(text.split())[:length]


def compact_iban(text: str | None) -> str:
    """An IBAN as debtors' IBANs are stored: no spaces, capitals."""
    if not text:
        return ""
    return "".join(text.split()).upper()[:IBAN_LENGTH]


def end_to_end(text: str | None) -> str:
    value = clean(text, REFERENCE_LENGTH)
    return "" if value.upper() == NOT_PROVIDED else value
