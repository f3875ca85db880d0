"""MT940 statements of the Dutch banks: ABN AMRO, ING, Rabobank, SNS/ASN/RegioBank, Knab, Triodos, bunq, Mollie.

The file is read line by line (a stream: a year of statements costs the memory of one line), cut into tags here,
and each ``:61:`` statement line is read with the mt-940 library's own pattern and models, so its knowledge of the
banks' quirks (two-digit years, entry dates across New Year, spaces where a date should be) is used as is. What
the library cannot do is done here:

* one bad entry does not lose the file: the library raises on the first tag it cannot read, this reader skips
  that entry and reports it;
* lines split in the middle of a field: ING's ``:28C:0000`` / ``0`` (which makes the library refuse the whole
  file) and ``:61:…//00000000001`` / ``005`` / ``/TRCD/…``; a lone ``-`` line inside ``:86:`` is part of the text
  (ING splits ``MND-EV01`` that way), a ``-`` after the balances ends a statement;
* an ``:86:`` after the closing balance is the bank's message about the statement, not the last entry's details;
* de Volksbank (ASN, SNS, RegioBank) writes the counterparty's IBAN as the :61: reference, beyond SWIFT's 16
  characters where the library cuts it (``_references``);
* the ``:86:`` details themselves (``mt940_details``).
"""

from __future__ import annotations

import codecs
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import InvalidOperation
from typing import Any, BinaryIO

import mt940

from incasso.domain.money import Money, MoneyError
from incasso.payments.parsers.mt940_details import details_read, is_iban, labelled_iban
from incasso.payments.parsers.records import (
    NAME_LENGTH,
    REFERENCE_LENGTH,
    ParsedEntry,
    SkippedEntry,
    StatementFileError,
    StatementInfo,
    clean,
    compact_iban,
)

_TAG_LINE = re.compile(r"^:(?P<tag>[0-9]{2}[A-Z]?|NS):(?P<value>.*)$")
# "-" ends a message; "-XXX", "-}" and "}" are what ING and the SWIFT envelope put there.
_END_LINE = re.compile(r"^(-(XXX)?\}?|\})$")
_BALANCE = re.compile(r"^(?P<status>[CD])(?P<date>[0-9]{6})(?P<currency>[A-Z]{3})")
_STATEMENT_LINE = mt940.tags.Statement()
# The :61: fields before the customer reference: dates, mark, funds code, amount, transaction type.
_LINE_HEAD = re.compile(r"^[0-9]{6}(?:[0-9]{4}|\s{4})?R?[CD][A-Z]?[0-9,]+(?:[A-Z][A-Z0-9 ]{3})?")
_ACCOUNT = re.compile(r"^[A-Z]?[0-9 .]+$")
_AMOUNT_CHARACTERS = set("0123456789,.")
_OPENING = {"60F", "60M", "60"}
_CLOSING = {"62F", "62M", "62", "64", "65"}


# Tags of text, whose lines keep one trailing space where the bank's line ended in white space.
_TEXT_TAGS = {"86", "NS"}
# Lines of one tag kept: SWIFT allows 6 of :86:, banks write up to a few dozen; a file with millions (a hostile
# or broken one) must not hold them all in memory, and nothing past this would be stored anyway.
MAX_TAG_LINES = 200


@dataclass
class _Tag:
    name: str
    lines: list[str] = field(default_factory=list)

    def add(self, line: str, *, ended_blank: bool) -> None:
        """A line of the tag, right-stripped; a text line that ended in white space keeps one space, which
        ``mt940_details`` reads as a break between words."""
        if len(self.lines) >= MAX_TAG_LINES:
            return
        self.lines.append(f"{line} " if ended_blank and line and self.name in _TEXT_TAGS else line)


@dataclass
class _Pending:
    """A ``:61:`` line and the ``:86:`` lines that belong to it, read once the next tag shows the entry ended."""

    statement_line: list[str]
    details: list[str] = field(default_factory=list)
    # Hungarian banks' (Sberbank's) non-standard :NS: sub-fields: the entry's only text when it has no :86:.
    extra: list[str] = field(default_factory=list)


def _lines(stream: BinaryIO) -> Iterator[str]:
    """The file's lines, ended by CR LF, LF, or (old Mac exports) a lone CR; trailing white space is kept (a line
    of ``:86:`` text that ends in a space was broken at a word: see ``mt940_details``)."""
    for raw in stream:
        yield from _decode(raw).rstrip("\r\n").split("\r")


# Control characters (NUL above all, which PostgreSQL cannot store in text) are never statement text: a space. A
# byte order mark (a file saved as "UTF-8 with BOM") goes, or the first tag would not be seen as one.
_CONTROLS: dict[int, str | None] = {
    **dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F], " "),
    0xFEFF: None,
}


# The same as bytes, to find them cheaply: translating every line costs a large statement a second.
_CONTROL_BYTES = bytes(code for code, value in _CONTROLS.items() if value is not None)
_BOM = codecs.BOM_UTF8


def _decode(raw: bytes) -> str:
    # Dutch banks write Latin-1 or Windows-1252 as often as UTF-8; every byte is valid Latin-1.
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if _BOM in raw or len(raw.translate(None, _CONTROL_BYTES)) != len(raw):
        text = text.translate(_CONTROLS)
    return text


class Mt940Reader:
    """Iterate over an MT940 file's entries; ``info`` is filled in as the file is read."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.info = StatementInfo(file_format="mt940")
        self._transactions = mt940.models.Transactions()
        self._account = ""
        self._currency = ""
        self._index = 0
        self._pending: _Pending | None = None
        self._in_entry = False
        self._tags_seen = 0
        # Two-digit years beyond this are of the century before (see ``_plain_date``).
        self._latest_year = datetime.datetime.now(tz=datetime.UTC).year + 50

    def __iter__(self) -> Iterator[ParsedEntry | SkippedEntry]:
        for tag in self._tags():
            self._tags_seen += tag.name != "END"
            yield from self._tag(tag)
        yield from self._flush()
        if not self._tags_seen:
            raise StatementFileError("the file holds no MT940 tags (:20:, :25:, :61:, …): it is not an MT940 statement")

    def _tags(self) -> Iterator[_Tag]:
        current: _Tag | None = None
        dash_pending = False
        for raw_line in _lines(self._stream):
            line = raw_line.rstrip()
            ended_blank = line != raw_line
            if line.startswith("{4:"):
                line = line[3:]
            if not line.strip():
                continue
            tag_line = _TAG_LINE.match(line)
            if dash_pending:
                dash_pending = False
                if current is not None and not tag_line and not _END_LINE.match(line) and not line.startswith("{"):
                    # A "-" inside :86: or :61: text, split onto its own line: it is part of the text.
                    current.add("-", ended_blank=False)
                    current.add(line, ended_blank=ended_blank)
                    continue
                if current is not None:
                    yield current
                    current = None
                yield _Tag("END")
            if tag_line:
                if current is not None:
                    yield current
                current = _Tag(tag_line.group("tag"))
                current.add(tag_line.group("value"), ended_blank=ended_blank)
            elif line == "-" and current is not None and current.name in {"61", "86"}:
                dash_pending = True
            elif _END_LINE.match(line) or line.startswith("{"):
                if current is not None:
                    yield current
                    current = None
                yield _Tag("END")
            elif current is not None:
                current.add(line, ended_blank=ended_blank)
            # Anything else outside a tag is a bank's header ("ABNANL2A", "940", ":940:"): not statement data.
        if current is not None:
            yield current

    def _tag(self, tag: _Tag) -> Iterator[ParsedEntry | SkippedEntry]:
        name = tag.name
        if name in {"86", "NS"} and self._in_entry and self._pending is not None:
            kept = self._pending.details if name == "86" else self._pending.extra
            kept.extend(tag.lines[: MAX_TAG_LINES - len(kept)])
            return
        yield from self._flush()
        self._in_entry = name == "61"
        if name == "61":
            self._pending = _Pending(tag.lines)
        elif name == "20":
            self.info.statement_id = self.info.statement_id or clean("".join(tag.lines), REFERENCE_LENGTH)
            self._currency = ""
        elif name == "25":
            self._account = _account("".join(tag.lines))
            if self._account:
                self.info.accounts.add(self._account)
                self.info.account = self.info.account or self._account
        elif name in _OPENING:
            balance = _BALANCE.match("".join(tag.lines).strip())
            self._currency = balance.group("currency") if balance else self._currency
        elif name == "34F" and not self._currency:
            # An MT942 interim report has no opening balance: its floor limit ("PLN0") names the currency.
            limit = "".join(tag.lines).strip()[:3]
            self._currency = limit if limit.isalpha() and limit.isupper() else ""

    def _flush(self) -> Iterator[ParsedEntry | SkippedEntry]:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        self._index += 1
        try:
            yield self._entry(pending)
        except (ValueError, MoneyError, InvalidOperation) as exc:
            yield SkippedEntry(self._index, str(exc))

    def _entry(self, pending: _Pending) -> ParsedEntry:
        if not self._currency:
            raise ValueError("the statement has no opening balance (:60F:), so the currency of its entries is unknown")
        data = _statement_line(pending.statement_line, self._currency, self._transactions)
        status = str(data["status"]).upper()
        amount_text = str(data["amount_text"]).replace(",", ".")
        amount = Money.parse(amount_text.rstrip(".") or "0", self._currency)
        if not amount.cents:
            # Citibank reports balances as entries of 0,00 (``/BAI CD 025``), Penta a verification message.
            raise ValueError("the amount is 0,00: no money moved, so there is nothing to book")
        debit = status in {"D", "RC"}
        details = details_read(pending.details or pending.extra)
        customer_reference, extra = _references(pending.statement_line, data)
        # Rabobank and ASN put the counterparty's IBAN (or name) on the statement line itself.
        for candidate in (extra, customer_reference):
            if not details.get("counterparty_iban") and (iban := labelled_iban(candidate)):
                details["counterparty_iban"] = iban
        # Only Rabobank's name on the line itself: what a bank writes on the line below (SWIFT's supplementary
        # details) is the kind of transaction ("Card transaction", "Deviza átutalás"), not who paid.
        if not details.get("counterparty_name") and _is_name(extra) and extra in pending.statement_line[0]:
            details["counterparty_name"] = clean(extra, NAME_LENGTH)
        details["bank_reference"] = clean(data.get("bank_reference"), REFERENCE_LENGTH)
        value_date = data["date"]
        booked = data.get("entry_date") or value_date
        return ParsedEntry(
            index=self._index,
            account=self._account,
            booking_date=_plain_date(booked, self._latest_year),
            value_date=_plain_date(value_date, self._latest_year),
            amount_cents=-amount.cents if debit else amount.cents,
            currency=self._currency,
            reversal=status.startswith("R"),
            **details,
        )


def _statement_line(lines: list[str], currency: str, transactions: Any) -> dict[str, Any]:
    """The ``:61:`` fields, by the library's pattern; for a line the bank split mid-field, its lines joined."""
    joined = "".join(lines)
    candidates = ["\n".join(lines)]
    if "/TRCD/" in joined:
        head, _, tail = joined.partition("/TRCD/")
        candidates.append(f"{head}\n/TRCD/{tail}")
    candidates.append(joined)
    for candidate in candidates:
        match = _STATEMENT_LINE.re.match(candidate)
        if match is None:
            continue
        if candidate[match.end("amount") : match.end("amount") + 1] in _AMOUNT_CHARACTERS:
            # The library's pattern stops at SWIFT's 15 characters, or at a decimal point, and reads the rest as
            # the reference: "C125.50" would be 125,00 and a 20-digit amount a smaller one. Never guessed.
            raise ValueError(
                f"the amount of :61:{joined[:80]} is not a SWIFT amount (at most 15 characters, a decimal comma)"
            )
        groups = match.groupdict()
        groups["currency"] = currency
        try:
            data: dict[str, Any] = _STATEMENT_LINE(transactions, dict(groups))
        except InvalidOperation:
            raise ValueError(f"the amount {groups['amount']!r} of :61:{joined[:80]} is not a number") from None
        data["amount_text"] = groups["amount"]
        return data
    raise ValueError(f"the statement line :61:{joined[:80]} cannot be read")


def _references(lines: list[str], data: dict[str, Any]) -> tuple[str, str]:
    """The :61: customer reference and supplementary details. SWIFT caps the reference at 16 characters, and the
    library cuts it there; de Volksbank (ASN, SNS, RegioBank) writes the counterparty's IBAN there, up to 34, and
    the rest would be read as the start of the supplementary details (``99hr gjlm paulissen``)."""
    reference = str(data.get("customer_reference") or "").strip()
    extra = str(data.get("extra_details") or "").strip()
    head = _LINE_HEAD.match(lines[0]) if lines else None
    if head is not None and reference:
        written = lines[0][head.end() :].partition("//")[0].strip()
        if len(written) > len(reference) and written.startswith(reference):
            reference, extra = written, extra.removeprefix(written[len(reference) :]).strip()
    return reference, extra


def _is_name(text: str) -> bool:
    """Whether the :61: supplementary details name the counterparty, rather than hold an account or a code
    (Rabobank writes ``0000000000`` or ``P004500018`` there when there is no counterparty account)."""
    return bool(text) and not text.startswith("/") and not labelled_iban(text) and not _ACCOUNT.match(text)


def _account(text: str) -> str:
    """``NL34RABO0142623393 EUR``, ``NL77INGB0574908765EUR``, ``1291.99.348EUR`` → the account itself."""
    first = text.strip().split(" ")[0] if text.strip() else ""
    if len(first) > 3 and first[-3:].isalpha() and first[-3:].isupper() and not is_iban(first):
        first = first[:-3]
    # Raiffeisen Hungary: "UBRTHUHB/123456789150ABCDEF002/HUF", the currency after a slash.
    return compact_iban(first.rstrip("/"))


def _plain_date(value: datetime.date, latest_year: int) -> datetime.date:
    """The library's Date is a ``datetime.date`` subclass; store a plain date.

    MT940 writes two-digit years and the library reads them all as 20yy, so a statement of 1999 would be booked in
    2099: a year after ``latest_year`` (50 ahead of now) is taken from the century before.
    """
    year = value.year - 100 if value.year > latest_year else value.year
    return datetime.date(year, value.month, value.day)
