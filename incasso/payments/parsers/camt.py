"""camt.053 (account statement) and camt.054 (debit/credit notification), versions .001.02 to .001.13.

Read as a stream: lxml reports only the few elements we act on (each ``Ntry`` and the statement around it), and
every entry is cleared once read, so a statement of a million entries needs the memory of one. Parsed safely: no
DTD at all (so no external entities and no entity expansion, the billion-laughs attack), no network.

A real bank file can break its schema (the Swiss sample in shared/samples has country code "CH2"), so nothing is
validated that the import does not need; what the import does need and cannot read skips that entry, with the
reason, and the rest of the file goes on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from incasso.core.xml import SAFE_PARSE_OPTIONS
from incasso.domain.money import MoneyError
from incasso.payments.parsers.camt_entry import entry_records
from incasso.payments.parsers.records import (
    REFERENCE_LENGTH,
    ParsedEntry,
    SkippedEntry,
    StatementFileError,
    StatementInfo,
    clean,
    compact_iban,
)

# Every version in use: the elements read (camt_entry) have kept their paths since .001.07 (.001.09 to .001.13 only
# added elements, such as the UETR), so a newer bank's file is read, not refused.
NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:(camt\.05[34]\.001\.(?:0[2-9]|1[0-3]))$")
SUPPORTED = "camt.053 and camt.054, versions .001.02 to .001.13"
# The only elements lxml reports to Python: everything else stays in C, which keeps a 100,000-entry file fast.
REPORTS = ("Stmt", "Ntfctn")
EVENT_TAGS = ["{*}Document", "{*}Ntry", *(f"{{*}}{name}" for name in REPORTS)]


class CamtReader:
    """Iterate over a camt file's entries; ``info`` is filled in as the file is read."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.info = StatementInfo()
        self._ns: dict[str, str] = {}

    def __iter__(self) -> Iterator[ParsedEntry | SkippedEntry]:
        index = 0
        account = ""
        header_read = False
        context = etree.iterparse(
            self._stream,
            events=("start", "end"),
            tag=EVENT_TAGS,
            **SAFE_PARSE_OPTIONS,
        )
        try:
            for event, element in context:
                if not self._ns:
                    self._check_root(element.getroottree().getroot())
                name = str(element.tag).rpartition("}")[2]
                if name in REPORTS:
                    if event == "start":
                        header_read = False
                    else:
                        if not header_read:
                            account = self._header(element)
                        element.clear()
                    continue
                if name != "Ntry" or event != "end":
                    continue
                if not header_read:
                    account, header_read = self._header(element.getparent()), True
                records = self._entry(element, index, account)
                index += len(records)
                yield from records
                _forget(element)
        except etree.XMLSyntaxError as exc:
            if index == 0:
                raise StatementFileError(f"the file is not well-formed XML: {exc}") from None
            yield SkippedEntry(index + 1, f"the file breaks off after entry {index}: {exc}")
            return
        if not self._ns:
            root = context.root
            if root is None:
                raise StatementFileError("the file holds no XML element")
            self._check_root(root)

    def _check_root(self, root: etree._Element) -> None:
        info = root.getroottree().docinfo
        if info.internalDTD is not None or info.system_url or info.public_id:
            raise StatementFileError(
                "the XML has a DOCTYPE (DTD); bank statements never need one, and entities are refused for safety"
            )
        qname = etree.QName(root)
        match = NAMESPACE.match(qname.namespace or "")
        if qname.localname != "Document" or match is None:
            raise StatementFileError(
                f"the XML root is {qname.localname!r} in namespace {qname.namespace!r}; supported are {SUPPORTED}"
            )
        self._ns = {"c": qname.namespace or ""}
        self.info.file_format = match.group(1)

    def _header(self, report: etree._Element | None) -> str:
        """The account (IBAN, or the bank's own id) and statement id of the Stmt/Ntfctn an entry is in."""
        if report is None:
            return ""
        account = compact_iban(
            report.findtext("c:Acct/c:Id/c:IBAN", namespaces=self._ns)
            or report.findtext("c:Acct/c:Id/c:Othr/c:Id", namespaces=self._ns)
        )
        if account:
            self.info.accounts.add(account)
            self.info.account = self.info.account or account
        self.info.statement_id = self.info.statement_id or clean(
            report.findtext("c:Id", namespaces=self._ns), REFERENCE_LENGTH
        )
        return account

    def _entry(self, ntry: etree._Element, index: int, account: str) -> list[ParsedEntry | SkippedEntry]:
        try:
            return entry_records(ntry, index, account)
        except (ValueError, MoneyError) as exc:
            return [SkippedEntry(index + 1, str(exc))]


def _forget(element: etree._Element) -> None:
    """Free an entry once read, and the siblings before it (lxml keeps them on the tree otherwise)."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
