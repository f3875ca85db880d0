"""The CSV door: a stream of bytes in, ``ClaimRow``s out (columns documented in docs/intake-formats.md).

Streams: the file is read one record at a time through a text wrapper, never as a whole. The header is checked
before the first row is handed out, so a file that lacks a required column is refused before anything is written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from operator import itemgetter
from typing import BinaryIO

from django.utils.translation import gettext_noop as _noop

from incasso.intake.rows import ROW_FIELDS, ClaimRow, DocumentKind, ImportFileError, RowError

# The field each column fills, found by its normalised header (lower case, spaces and hyphens as "_").
COLUMNS: dict[str, tuple[str, ...]] = {
    # field: (English name, Dutch name, other names accepted)
    "invoice_number": ("invoice_number", "factuurnummer", "invoice_no", "factuurnr"),
    "invoice_date": ("invoice_date", "factuurdatum"),
    "due_date": ("due_date", "vervaldatum"),
    "amount": ("amount", "bedrag", "principal", "hoofdsom"),
    "currency": ("currency", "valuta"),
    "description": ("description", "omschrijving"),
    "interest": ("interest", "rente", "interest_kind", "rentesoort"),
    "claim_type": ("claim_type", "soort_vordering", "vorderingsoort"),
    "debtor_reference": ("debtor_reference", "debiteurnummer", "debtor_number", "customer_number", "klantnummer"),
    "debtor_kind": ("debtor_kind", "soort_debiteur", "debtor_type", "debiteursoort"),
    "given_names": ("given_names", "voornamen", "first_names", "first_name", "voornaam"),
    "surname": ("surname", "achternaam", "last_name", "family_name"),
    "organisation_name": ("organisation_name", "bedrijfsnaam", "organization_name", "company_name", "handelsnaam"),
    "date_of_birth": ("date_of_birth", "geboortedatum", "birth_date"),
    "street": ("street", "straat", "straatnaam"),
    "house_number": ("house_number", "huisnummer"),
    "postcode": ("postcode", "postcode", "postal_code", "zip_code"),
    "city": ("city", "plaats", "woonplaats", "town"),
    "country": ("country", "land", "landcode"),
    "email": ("email", "e_mail", "email_address", "emailadres", "e_mailadres"),
    "phone": ("phone", "telefoon", "phone_number", "telefoonnummer"),
    "iban": ("iban", "iban", "bank_account", "rekeningnummer"),
    "kvk_number": ("kvk_number", "kvk_nummer", "kvk", "kvknummer"),
}
REQUIRED = ("invoice_number", "invoice_date", "due_date", "amount", "debtor_reference", "debtor_kind")
ALIASES = {alias: field for field, aliases in COLUMNS.items() for alias in aliases}
_SEPARATORS = re.compile(r"[\s\-]+")
# A header line longer than this is no header (a real one, with every column we know and more, is a few hundred).
MAX_HEADER_LENGTH = 16_384


def header_normalise(name: str) -> str:
    return _SEPARATORS.sub("_", name.strip().strip('"').lower()).strip("_")


# The line Excel (and tools that write for it) may put before the header to name the separator: ``sep=;``.
_EXCEL_SEPARATOR = re.compile(r'^"?sep=([;,\t|])"?\s*$', re.IGNORECASE)


def delimiter_sniff(header_line: str) -> str:
    """``;`` (what Excel writes in a Dutch locale), ``,`` or a tab: whichever the header line holds most of."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=lambda delimiter: counts[delimiter])  # a tie goes to the first: ","


def column_indexes(header: list[str]) -> list[int]:
    """For each field of ``ROW_FIELDS`` the column it is read from, or -1 for "not in this file"."""
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        field = ALIASES.get(header_normalise(name))
        if field is None:
            continue  # unknown columns are ignored, so clients can send their full export
        if field in found:
            raise ImportFileError(
                "header",
                _noop("columns %(first)s and %(second)s both give %(field)s: keep one of them"),
                (("first", repr(header[found[field]])), ("second", repr(name)), ("field", field)),
                code="duplicate_column",
            )
        found[field] = index
    missing = [field for field in REQUIRED if field not in found]
    if missing:
        names = ", ".join(
            f"{field} ({COLUMNS[field][1]})" if COLUMNS[field][1] != field else field for field in missing
        )
        raise ImportFileError(
            "header",
            _noop("the header lacks the required column(s): %(columns)s"),
            (("columns", names),),
            code="missing_columns",
        )
    return [found.get(field, -1) for field in ROW_FIELDS]


def csv_open(stream: BinaryIO) -> Iterator[ClaimRow | RowError]:
    """Check the header now and return the rows lazily. Raises ``ImportFileError`` for an unusable header.

    A record that cannot be parsed at all comes out as a ``RowError`` in its place: one broken line rejects that
    row, not the file.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    header_line = _header_line(text)
    declared = _EXCEL_SEPARATOR.match(header_line)
    if declared:  # the header follows; rows are numbered as the spreadsheet shows them (without this line)
        header_line = _header_line(text)
    delimiter = declared.group(1) if declared else delimiter_sniff(header_line)
    try:
        header = next(csv.reader([header_line], delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(
            "header",
            _noop("the header line cannot be read as CSV (%(reason)s)"),
            (("reason", str(exc)),),
            code="bad_header",
        ) from None
    indexes = column_indexes(header)
    return _records(text, delimiter, indexes, len(header))


def _header_line(text: io.TextIOWrapper) -> str:
    """The next line, which must be a header (or Excel's ``sep=`` line before it); ``ImportFileError`` otherwise."""
    try:
        # Read up to a limit: a file without a line end would otherwise be read into memory whole.
        header_line = text.readline(MAX_HEADER_LENGTH + 1)
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "file",
            _noop("the file is not UTF-8 encoded (%(reason)s): save it as CSV UTF-8"),
            (("reason", exc.reason),),
            code="not_utf8",
        ) from None
    if not header_line.strip():
        raise ImportFileError("file", _noop("the file is empty: the first line must be the header"), code="empty_file")
    if len(header_line) > MAX_HEADER_LENGTH:
        raise ImportFileError(
            "header",
            _noop("the first line is longer than %(limit)s characters: it must be the header with the column names"),
            (("limit", MAX_HEADER_LENGTH),),
            code="bad_header",
        )
    return header_line


def _records(text: io.TextIOWrapper, delimiter: str, indexes: list[int], width: int) -> Iterator[ClaimRow | RowError]:
    padding = [""] * (width + 1)
    # Fields not in the file point at the padding column past the end, which is always "".
    getter = itemgetter(*[index if index >= 0 else width for index in indexes])
    reader = csv.reader(text, delimiter=delimiter)
    row = 1
    while True:
        row += 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RowError(row, "row", _noop("unreadable CSV record: %(reason)s"), (("reason", str(exc)),))
            continue
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                "file",
                _noop("the file is not UTF-8 encoded (%(reason)s) near row %(row)s"),
                (("reason", exc.reason), ("row", row)),
                code="not_utf8",
            ) from None
        if not any(record):
            continue  # blank lines, e.g. at the end of the file
        if len(record) > width and any(value.strip() for value in record[width:]):
            yield RowError(
                row,
                "row",
                _noop("has %(fields)s fields where the header has %(width)s: quote values that contain %(delimiter)s"),
                (("fields", len(record)), ("width", width), ("delimiter", repr(delimiter))),
            )
            continue
        values = getter((record + padding)[: width + 1])
        yield ClaimRow(row, DocumentKind.INVOICE, *values)
