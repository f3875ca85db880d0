"""Pure functions the matching and the import share: what a payment refers to, and the stable key of an entry.

No Django here, so the rules are tested without a database and read in one place.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Set as AbstractSet

from incasso.domain.payment_reference import MAX_BASE_LENGTH, rf_for_case
from incasso.payments.parsers.records import ParsedEntry

KEY_LENGTH = 40
# Our references are "RF", two check digits and digits only, written in groups of four or without spaces. In a text
# the reference may run on into other figures ("RF58 2026 0001 01 12,50"), so every length is tried (below).
_RF_IN_TEXT = re.compile(r"\bRF\s?([0-9]{2})((?:\s?[0-9]){5,21})", re.IGNORECASE)
# A case number as printed in letters: "2026-000123". Only the hyphenated form: ten bare digits in a remittance
# text are as often an invoice or customer number, and a wrong match books money to the wrong debtor.
_CASE_NUMBER = re.compile(r"(?<![0-9])([0-9]{4})-([0-9]{6,})(?![0-9])")
# The digits of such a case number, which an RF reference of ours is made of: a shorter one names no case.
CASE_NUMBER_DIGITS = 10

# Direct-debit and transfer return codes (ISO 20022 ExternalReturnReason1Code) the agency meets most.
RETURN_REASONS = {
    "AC01": "account number incorrect",
    "AC04": "account closed",
    "AC06": "account blocked",
    "AG01": "transaction forbidden on this account",
    "AG02": "invalid operation code",
    "AM04": "insufficient funds",
    "AM05": "duplicate collection",
    "BE05": "creditor unknown to the debtor's bank",
    "FF01": "invalid file format",
    "MD01": "no valid mandate",
    "MD02": "mandate data missing or incorrect",
    "MD06": "refund requested by the debtor",
    "MD07": "debtor deceased",
    "MS02": "refused by the debtor",
    "MS03": "reason not specified",
    "RC01": "bank identifier incorrect",
    "RR01": "regulatory reason",
    "SL01": "specific service offered by the debtor's bank",
}


def return_reason_text(code: str) -> str:
    description = RETURN_REASONS.get(code.upper())
    return f"{code} ({description})" if description else code


def case_number_from_rf(reference: str) -> str | None:
    """The case number an RF reference was made from (``rf_for_case``), or None when it is not one of ours.

    ``rf_for_case`` keeps only the digits of "YYYY-NNNNNN"; the reverse puts the hyphen back after the year and
    then checks that the case number gives exactly this reference. That check covers the check digits too (the
    reference it makes is valid), so they are not checked apart: a text is tried at every length (below).
    """
    compact = "".join(reference.split()).upper()
    base = compact[4:]
    if not (
        compact.startswith("RF")
        and CASE_NUMBER_DIGITS <= len(base) <= MAX_BASE_LENGTH
        and compact[2:].isascii()
        and compact[2:].isdigit()
    ):
        return None
    number = f"{base[:4]}-{base[4:]}"
    return number if rf_for_case(number) == compact else None


def rf_case_numbers(entry: ParsedEntry) -> set[str]:
    """Case numbers named by RF references: the structured reference, or one typed into the remittance text.

    In a text every length of the digits after "RF" (down to a case number's ten) is tried and each one whose
    check digits fit counts; the matching then needs exactly one open case among them, so a stray fit cannot pick
    a case on its own.
    """
    candidates = {entry.structured_reference} if entry.structured_reference else set()
    for match in _RF_IN_TEXT.finditer(entry.remittance):
        digits = "".join(match.group(2).split())
        lengths = range(len(digits), CASE_NUMBER_DIGITS - 1, -1)
        candidates.update(f"RF{match.group(1)}{digits[:length]}" for length in lengths)
    numbers = {case_number_from_rf(candidate) for candidate in candidates}
    return {number for number in numbers if number}


# The case numbers an entry names: (by RF reference, written out). Pure, so the reader's process works them out.
NamedCases = tuple[AbstractSet[str], AbstractSet[str]]
# What most entries name: one shared value, which the reader's process sends once per chunk.
NOTHING_NAMED: NamedCases = (frozenset(), frozenset())


def named_cases(entry: ParsedEntry) -> NamedCases:
    """``rf_case_numbers`` and ``text_case_numbers`` of an entry."""
    named = rf_case_numbers(entry), text_case_numbers(entry)
    return named if named[0] or named[1] else NOTHING_NAMED


def text_case_numbers(entry: ParsedEntry) -> set[str]:
    """Case numbers written out in the remittance text or the structured reference."""
    text = f"{entry.remittance} {entry.structured_reference}"
    return {f"{year}-{sequence}" for year, sequence in _CASE_NUMBER.findall(text)}


class EntryKeys:
    """Stable keys for a file's entries, in file order: the same entry gets the same key in every import.

    The key is a hash of what identifies the entry: the account, booking date, signed amount and currency, and
    the bank's own reference (AcctSvcrRef in camt, the ``//`` reference in MT940) or, without one, the payer's
    end-to-end id, or else the counterparty and the texts. Entries that are identical in all of that (Mollie
    lists several equal payments with one placeholder reference) are told apart by their order of occurrence in
    the file, which does not change when the same file is imported again.
    """

    def __init__(self) -> None:
        self._seen: Counter[bytes] = Counter()

    def key(self, entry: ParsedEntry) -> str:
        identity: tuple[str, ...]
        if entry.bank_reference:
            identity = ("bank", entry.bank_reference, entry.end_to_end_id)
        elif entry.end_to_end_id:
            identity = ("e2e", entry.end_to_end_id, entry.counterparty_iban)
        else:
            identity = (
                "text",
                entry.counterparty_iban,
                entry.counterparty_name,
                entry.remittance,
                entry.structured_reference,
                entry.mandate_id,
                entry.return_reason,
            )
        material = "\x1f".join(
            (entry.account, entry.booking_date.isoformat(), str(entry.amount_cents), entry.currency, *identity)
        )
        # Counted by digest, not by text, so a million-entry file keeps 32 bytes per entry, not its texts.
        digest = hashlib.sha256(material.encode()).digest()
        self._seen[digest] += 1
        return hashlib.sha256(digest + str(self._seen[digest]).encode()).hexdigest()[:KEY_LENGTH]
