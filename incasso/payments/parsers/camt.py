"""camt.053 (account statement), camt.052 (intraday account report) and camt.054 (debit/credit notification),
versions .001.02 to .001.14: the same entries (``Ntry``), in a ``Stmt``, an ``Rpt`` or an ``Ntfctn``.

Read as a stream: lxml reports only the few elements we act on (each ``Ntry`` and the statement around it), and
every entry is cleared once read, so a statement of a million entries needs the memory of one. Parsed safely: no
DTD at all (so no external entities and no entity expansion, the billion-laughs attack), no network.

A real bank file can break its schema (the Swiss sample in shared/samples has country code "CH2"), so nothing is
validated that the import does not need; what the import does need and cannot read skips that entry, with the
reason, and the rest of the file goes on. Some banks' exports put several XML documents one after another in one
file (one per account or day): each is read in turn (``camt_documents``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Generator, Iterator
from typing import BinaryIO

from lxml import etree

from incasso.core.xml import SAFE_PARSE_OPTIONS
from incasso.domain.money import MoneyError
from incasso.payments.parsers.camt_documents import Document, split_documents
from incasso.payments.parsers.camt_entry import entry_records, report_day
from incasso.payments.parsers.records import (
    REFERENCE_LENGTH,
    ParsedEntry,
    SkippedEntry,
    StatementFileError,
    StatementInfo,
    clean,
    compact_iban,
)

# Every version in use: the elements read (camt_entry) have kept their paths since .001.07 (.001.09 to .001.14 only
# added elements, such as the UETR), so a newer bank's file is read, not refused.
# SWIFT's own copies of the messages (MX, "urn:swift:xsd:…") carry the same elements under another namespace.
NAMESPACE = re.compile(r"^urn:(?:iso:std:iso:20022:tech:xsd|swift:xsd):(camt\.05[234]\.001\.(?:0[2-9]|1[0-4]))$")
SUPPORTED = "camt.052, camt.053 and camt.054, versions .001.02 to .001.14"
# The only elements lxml reports to Python: everything else stays in C, which keeps a 100,000-entry file fast.
REPORTS = ("Stmt", "Rpt", "Ntfctn")
EVENT_TAGS = ["{*}Document", "{*}Ntry", *(f"{{*}}{name}" for name in REPORTS)]
# What tells one statement (or one page of it) from another with the same Id: a file that holds the same statement
# twice (exports joined by hand) must not book it twice, pages of one statement must all be read.
IDENTITY = (
    "StmtPgntn/c:PgNb",
    "RptPgntn/c:PgNb",
    "ElctrncSeqNb",
    "LglSeqNb",
    "CreDtTm",
    "FrToDt/c:FrDtTm",
    "FrToDt/c:ToDtTm",
)


class CamtReader:
    """Iterate over a camt file's entries; ``info`` is filled in as the file is read."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.info = StatementInfo()
        self._ns: dict[str, str] = {}
        self._reports: set[tuple[str, ...]] = set()

    def __iter__(self) -> Iterator[ParsedEntry | SkippedEntry]:
        index = 0
        for number, document in enumerate(split_documents(self._stream), start=1):
            self._ns = {}
            if number == 1:
                index = yield from self._document(document, index)
                continue
            # Entries of the documents before were handed on already: a later document that is not camt (or is
            # broken) is reported and left out, never a reason to refuse what was read.
            try:
                index = yield from self._document(document, index)
            except StatementFileError as error:
                yield SkippedEntry(index + 1, f"XML document {number} of the file is left out: {error.message}")

    def _document(self, document: Document, index: int) -> Generator[ParsedEntry | SkippedEntry, None, int]:
        """The entries of one XML document, numbered on from ``index``; returns the index reached."""
        account = repeated = ""
        notified: datetime.date | None = None
        header_read = False
        context = etree.iterparse(
            document,
            events=("start", "end"),
            tag=EVENT_TAGS,
            **SAFE_PARSE_OPTIONS,
        )
        try:
            for event, element in context:
                name = str(element.tag).rpartition("}")[2]
                if not self._ns:
                    # The camt Document is the root, or sits in a bank's or SWIFT's envelope (an AppHdr beside it).
                    self._check_root(element if name == "Document" else element.getroottree().getroot())
                if name in REPORTS:
                    if event == "start":
                        header_read = False
                    else:
                        if not header_read:
                            account, _ = self._header(element)
                        element.clear()
                    continue
                if name != "Ntry" or event != "end":
                    continue
                if not header_read:
                    report = element.getparent()
                    (account, repeated), header_read = self._header(report), True
                    notified = self._report_day(report)
                records = self._entry(element, index, account, notified)
                if repeated:
                    records = [SkippedEntry(record.index, repeated) for record in records]
                index += len(records)
                yield from records
                _forget(element)
        except etree.XMLSyntaxError as exc:
            if index == 0 or not self._ns:
                raise StatementFileError(f"the file is not well-formed XML: {exc}") from None
            yield SkippedEntry(index + 1, f"the file breaks off after entry {index}: {exc}")
            return index
        if not self._ns:
            root = context.root
            if root is None:
                raise StatementFileError("the file holds no XML element")
            self._check_root(root)
        return index

    def _check_root(self, root: etree._Element) -> None:
        info = root.getroottree().docinfo
        if info.internalDTD is not None or info.system_url or info.public_id:
            raise StatementFileError(
                "the XML has a DOCTYPE (DTD); bank statements never need one, and entities are refused for safety"
            )
        # The tag read as text: lxml's QName refuses a namespace it finds odd (a broken byte in xmlns) with an error.
        namespace, _, localname = str(root.tag).removeprefix("{").rpartition("}")
        match = NAMESPACE.match(namespace)
        if localname != "Document" or match is None:
            raise StatementFileError(
                f"the XML root is {localname!r} in namespace {namespace or None!r}; supported are {SUPPORTED}"
            )
        self._ns = {"c": namespace}
        self.info.file_format = match.group(1)

    def _report_day(self, report: etree._Element | None) -> datetime.date | None:
        """The day an entry without dates of its own is booked on (the schema makes both dates optional, and some
        banks leave them out): a camt.054 notification is made when the bank books, so its creation day; a
        statement (or a camt.052 report) covers the day of its closing balance (or the end of its period, or its
        creation). The message's own creation day when the report says nothing."""
        if report is None:
            return None
        texts = [report.findtext("c:CreDtTm", namespaces=self._ns)]
        if not str(report.tag).endswith("}Ntfctn"):
            closing = [
                balance.findtext("c:Dt/c:Dt", namespaces=self._ns)
                or balance.findtext("c:Dt/c:DtTm", namespaces=self._ns)
                for balance in report.iterfind("c:Bal", namespaces=self._ns)
                if balance.findtext("c:Tp/c:CdOrPrtry/c:Cd", namespaces=self._ns) == "CLBD"
            ]
            texts = [*closing, report.findtext("c:FrToDt/c:ToDtTm", namespaces=self._ns), *texts]
        group = report.getparent()
        for text in texts:
            if day := report_day(text):
                return day
        return report_day(group.findtext("c:GrpHdr/c:CreDtTm", namespaces=self._ns)) if group is not None else None

    def _header(self, report: etree._Element | None) -> tuple[str, str]:
        """The account (IBAN, or the bank's own id) of the Stmt/Ntfctn an entry is in, and why its entries are left
        out if this report was read before in the file ("" if not)."""
        if report is None:
            return "", ""
        account = compact_iban(
            report.findtext("c:Acct/c:Id/c:IBAN", namespaces=self._ns)
            or report.findtext("c:Acct/c:Id/c:Othr/c:Id", namespaces=self._ns)
        )
        if account:
            self.info.accounts.add(account)
            self.info.account = self.info.account or account
        report_id = clean(report.findtext("c:Id", namespaces=self._ns), REFERENCE_LENGTH)
        self.info.statement_id = self.info.statement_id or report_id
        identity = (account, report_id, *(report.findtext(f"c:{path}", "", self._ns) for path in IDENTITY))
        if not report_id:
            return account, ""
        if identity in self._reports:
            return account, f"statement {report_id} of {account or 'this account'} is in the file twice: read once"
        self._reports.add(identity)
        return account, ""

    def _entry(
        self, ntry: etree._Element, index: int, account: str, notified: datetime.date | None
    ) -> list[ParsedEntry | SkippedEntry]:
        try:
            return entry_records(ntry, index, account, notified)
        except (ValueError, MoneyError) as exc:
            return [SkippedEntry(index + 1, str(exc))]


def _forget(element: etree._Element) -> None:
    """Free an entry once read, and the siblings before it (lxml keeps them on the tree otherwise)."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
