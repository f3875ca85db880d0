"""The vocabulary every door shares: a raw row in, a validated record or row errors out, a summary at the end.

Each door (REST, CSV, UBL) only turns its input into ``ClaimRow``s of raw strings; one validator and one writer
do the rest, so the doors cannot drift apart in what they accept.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, NamedTuple

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _noop

# A value put into a row error's message: what the submitter sent (quoted), a limit, a list of accepted codes.
Params = tuple[tuple[str, str | int], ...]


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


def message_render(message: str, params: Params | dict[str, Any] = (), *, translate: bool = False) -> str:
    """A row error's text: English as written, or in the active language when ``translate``."""
    text = gettext(message) if translate else message
    return text % dict(params) if params else text


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of one row. ``message`` is the English text with ``%(name)s`` placeholders (the msgid of its
    translation) and ``params`` fills them, so the text can be shown in any language later, e.g. from a stored
    import in the client portal. Every door translates: portal and CLI to the active language, the API to the
    language its caller's Accept-Language asks for (English without one)."""

    row: int
    field: str
    message: str
    params: Params = ()

    @property
    def error(self) -> str:
        return message_render(self.message, self.params)

    def as_dict(self, *, translate: bool = False) -> dict[str, Any]:
        return {
            "row": self.row,
            "field": self.field,
            "error": message_render(self.message, self.params, translate=translate),
        }

    def as_stored(self) -> dict[str, Any]:
        """What an ``ImportBatch`` keeps: the English text, and message and params to translate it when shown."""
        return {**self.as_dict(), "message": self.message, "params": dict(self.params)}


def stored_error_text(entry: dict[str, Any]) -> str:
    """The text of a stored row error in the active language (entries kept before messages were stored: as is)."""
    if "message" not in entry:
        return str(entry.get("error", ""))
    return message_render(entry["message"], entry.get("params") or {}, translate=True)


def stored_refusal(entries: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """A refused import's stored entries split into the refusal (the last entry, row 0) and the row errors
    before it; ``(None, entries)`` when there is no refusal among them."""
    if entries and entries[-1].get("row") == 0 and "message" in entries[-1]:
        return entries[-1], entries[:-1]
    return None, entries


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

    def as_dict(self, *, translate: bool = False) -> dict[str, Any]:
        """The summary as the doors print it: English, or the active language when ``translate``."""
        rejected = [error.as_dict(translate=translate) for error in self.rejected]
        listed_rows = len({error.row for error in self.rejected})
        if self.rejected_count > listed_rows:
            more = RowError(
                0,
                "file",
                _noop("%(count)s more rejected rows are not listed (the first %(limit)s errors are)"),
                (("count", self.rejected_count - listed_rows), ("limit", self.limit)),
            )
            rejected.append(more.as_dict(translate=translate))
        return {"created": self.created, "duplicates": self.duplicates, "rejected": rejected}


class ImportFileError(Exception):
    """The submission as a whole cannot be read (wrong encoding, not CSV or UBL, missing columns, unsafe XML).

    Like a ``RowError``: ``message`` is the English text with ``%(name)s`` placeholders (the msgid of its
    translation) and ``params`` fills them, so each door renders it in its user's language; ``code`` is a stable
    machine-readable reason (``missing_columns``, ``not_utf8``, ...) for programs that act on it.
    """

    def __init__(self, field: str, message: str, params: Params = (), *, code: str = "file_refused") -> None:
        super().__init__(message_render(message, params))
        self.field = field
        self.message = message
        self.params = params
        self.code = code

    @property
    def text(self) -> str:
        """The reason in English, e.g. for the ``ImportBatch`` (which the back office reads)."""
        return message_render(self.message, self.params)

    def render(self, *, translate: bool = False) -> str:
        """The reason in English, or in the active language when ``translate``."""
        return message_render(self.message, self.params, translate=translate)

    def as_dict(self, *, translate: bool = False) -> dict[str, Any]:
        return {"error": self.code, "field": self.field, "message": self.render(translate=translate)}

    def as_stored(self) -> dict[str, Any]:
        """What an ``ImportBatch`` keeps to show the refusal again in any language (see ``stored_error_text``)."""
        return {"row": 0, "field": self.field, "error": self.text, "message": self.message, "params": dict(self.params)}
