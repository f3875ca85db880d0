"""The vocabulary every door shares: a raw row in, a validated record or row errors out, a summary at the end.

Each door (REST, CSV, UBL) only turns its input into ``ClaimRow``s of raw strings; one validator and one writer
do the rest, so the doors cannot drift apart in what they accept.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, NamedTuple


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """One claim (or credit note) as submitted: every value a string, "" when absent, nothing checked yet.

    ``row`` is how the submitter finds it again: the spreadsheet row for CSV (the header is row 1), the position
    in the list for REST (the first claim is row 1), 1 for an e-invoice. Row 0 means the submission as a whole.
    """

    row: int
    document: DocumentKind = DocumentKind.INVOICE
    invoice_number: str = ""
    invoice_date: str = ""
    due_date: str = ""
    amount: str = ""
    currency: str = ""
    description: str = ""
    interest: str = ""
    # What the claim is for (contract, purchase, energy): with the debtor's kind it fixes the limitation period.
    claim_type: str = ""
    # For a credit note: the invoice it corrects.
    credited_invoice_number: str = ""
    debtor_reference: str = ""
    debtor_kind: str = ""
    given_names: str = ""
    surname: str = ""
    organisation_name: str = ""
    date_of_birth: str = ""
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    email: str = ""
    phone: str = ""
    iban: str = ""
    kvk_number: str = ""
    # Payment terms in days, used only when an e-invoice has no due date.
    payment_terms_days: str = ""


# The submitted fields, in declaration order: the CSV columns and the REST keys are named after these.
ROW_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ClaimRow) if f.name not in {"row", "document"})


@dataclass(frozen=True, slots=True)
class Dialect:
    """Notations a door accepts besides the strict ones. Spreadsheets exported in the Netherlands write
    31-01-2026, 12,50 and "particulier"; an API client is expected to send ISO dates and English codes."""

    day_first_dates: bool = False
    decimal_comma: bool = False
    dutch_codes: bool = False


STRICT = Dialect()
SPREADSHEET = Dialect(day_first_dates=True, decimal_comma=True, dutch_codes=True)


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    field: str
    error: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "error": self.error}


class DebtorRecord(NamedTuple):
    """A valid debtor, in plaintext: the writer seals the personal fields before the row is written (P-3)."""

    reference: str
    kind: str
    given_names: str
    surname: str
    organisation_name: str
    date_of_birth: datetime.date | None
    street: str
    house_number: str
    postcode: str
    city: str
    country: str
    email: str
    phone: str
    iban: str
    kvk_number: str


class ClaimRecord(NamedTuple):
    """A valid claim (named tuples are cheap to build, and a million-row file builds a million of these)."""

    row: int
    invoice_number: str
    invoice_date: datetime.date
    due_date: datetime.date
    principal_cents: int
    currency: str
    description: str
    interest: str | None
    debtor: DebtorRecord
    limitation_kind: str


class CreditRecord(NamedTuple):
    row: int
    credit_note_number: str
    credited_on: datetime.date
    amount_cents: int
    invoice_number: str


@dataclass
class ImportSummary:
    """What an import did. ``rejected`` lists at most ``limit`` rows so memory stays bounded on any file;
    ``rejected_count`` is the full number, and a last entry says how many were left out."""

    created: int = 0
    duplicates: int = 0
    rejected: list[RowError] = field(default_factory=list)
    rejected_count: int = 0
    batch_id: int | None = None
    limit: int = 1_000

    def reject(self, errors: list[RowError]) -> None:
        self.rejected_count += 1
        room = self.limit - len(self.rejected)
        if room > 0:
            self.rejected.extend(errors[:room])

    def as_dict(self) -> dict[str, Any]:
        rejected = [error.as_dict() for error in self.rejected]
        listed_rows = len({error.row for error in self.rejected})
        if self.rejected_count > listed_rows:
            rejected.append(
                {
                    "row": 0,
                    "field": "file",
                    "error": f"{self.rejected_count - listed_rows} more rejected rows are not listed "
                    f"(the first {self.limit} errors are)",
                }
            )
        return {"created": self.created, "duplicates": self.duplicates, "rejected": rejected}


class ImportFileError(Exception):
    """The submission as a whole cannot be read (wrong encoding, not CSV or UBL, missing columns, unsafe XML)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def as_dict(self) -> dict[str, Any]:
        return {"error": "file_refused", "field": self.field, "message": self.message}
