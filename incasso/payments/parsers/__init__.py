"""Reading bank statement files: the format is told from the content, never from the file name.

``statement_reader`` returns an iterable of ``ParsedEntry``/``SkippedEntry`` whose ``info`` (format, account,
statement id) is complete once it has been iterated. It raises ``StatementFileError`` for a file no parser can
read at all — an empty file, a PDF, a spreadsheet, XML that is not camt.
"""

from __future__ import annotations

import codecs
import io
from typing import BinaryIO

from incasso.payments.parsers.camt import CamtReader
from incasso.payments.parsers.mt940 import Mt940Reader
from incasso.payments.parsers.records import ParsedEntry, SkippedEntry, StatementFileError, StatementInfo

__all__ = [
    "CamtReader",
    "Mt940Reader",
    "ParsedEntry",
    "SkippedEntry",
    "StatementFileError",
    "StatementInfo",
    "statement_reader",
]

HEAD = 4096
_SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive or Excel workbook: unpack it or export the statement as camt.053 or MT940",
    b"%PDF": "a PDF document: download the statement as camt.053 (XML) or MT940 instead",
    b"\xd0\xcf\x11\xe0": "an old Office document: download the statement as camt.053 (XML) or MT940 instead",
}


def statement_reader(stream: BinaryIO) -> CamtReader | Mt940Reader:
    """The reader for ``stream`` (seekable; it is left at the start)."""
    head = stream.read(HEAD)
    stream.seek(0)
    for signature, what in _SIGNATURES.items():
        if head.startswith(signature):
            raise StatementFileError(f"the file is {what}")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16_reader(stream, head, "utf-16")
    if encoding := _utf16_without_bom(head):
        return _utf16_reader(stream, head, encoding)
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if not text:
        raise StatementFileError("the file is empty")
    if text.startswith(b"<"):
        return CamtReader(stream)
    if text.startswith(b"{1:") or b":20:" in head or b":61:" in head or b":25:" in head:
        return Mt940Reader(stream)
    raise StatementFileError("the file is neither camt.053/camt.054 XML nor an MT940 statement")


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le``/``-be`` for text saved as UTF-16 without a byte-order mark (some export tools do), told by its
    NUL bytes: ASCII text in UTF-16 has one in every other byte, which no camt or MT940 file in UTF-8 has at all."""
    sample = head[: len(head) // 2 * 2][:512]
    if len(sample) < 8 or b"\x00" not in sample:
        return None
    odd, even = sample[1::2], sample[0::2]
    if odd.count(0) == len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) == len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _utf16_reader(stream: BinaryIO, head: bytes, encoding: str) -> CamtReader | Mt940Reader:
    """A file saved as UTF-16 (Windows tools do that): XML with a byte-order mark is read by lxml as it is, without
    one it gets the mark it lacks (in memory: such files are rare and small); MT940 is turned into UTF-8 first (a
    statement file of text, so the whole of it fits in memory)."""
    text = head.decode(encoding, errors="ignore").lstrip()
    if text.startswith("<"):
        if encoding == "utf-16":
            return CamtReader(stream)
        mark = codecs.BOM_UTF16_LE if encoding == "utf-16-le" else codecs.BOM_UTF16_BE
        return CamtReader(io.BytesIO(mark + stream.read()))
    if ":20:" in text or ":61:" in text or ":25:" in text:
        try:
            content = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise StatementFileError(f"the file claims to be UTF-16 text but is not: {exc}") from None
        return Mt940Reader(io.BytesIO(content.encode("utf-8")))
    raise StatementFileError("the file is neither camt.053/camt.054 XML nor an MT940 statement")
