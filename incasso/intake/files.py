"""Telling a submitted file's format from its content, and reading it once to hash it and check its encoding.

Clients name files any way they like, so the extension is not trusted: XML whose root is a UBL Invoice or
CreditNote is an e-invoice, anything else is read as CSV.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO

from django.utils.translation import gettext_noop as _noop

from incasso.intake.rows import ImportFileError

BLOCK = 1 << 20
UTF8_BOM = codecs.BOM_UTF8
# What a file that is no CSV or XML starts with: (code, why it is refused).
_SIGNATURES = {
    b"PK\x03\x04": (
        "spreadsheet",
        _noop("the file is a ZIP archive or Excel workbook (.xlsx): export it as 'CSV UTF-8' first"),
    ),
    b"%PDF": ("pdf", _noop("the file is a PDF document: send the e-invoice's XML or a CSV file")),
    b"\xd0\xcf\x11\xe0": (
        "spreadsheet",
        _noop("the file is an old Excel workbook (.xls): export it as 'CSV UTF-8' first"),
    ),
}
# UTF-16 and UTF-32 text (what "Unicode text" in Excel writes) starts with its byte order mark.
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
EMPTY = ("empty_file", _noop("the file is empty"))


class FileKind(StrEnum):
    CSV = "csv"
    UBL = "ubl"


@dataclass(frozen=True)
class InspectedFile:
    kind: FileKind
    sha256: str
    size: int
    # Where the file stops being UTF-8, if it does: (byte offset, the offending byte).
    utf8_error: tuple[int, int] | None
    # Why the file cannot be imported whatever its format (empty, a spreadsheet, a PDF): (code, message id).
    problem: tuple[str, str] | None = None

    def raise_if_unreadable(self) -> None:
        """Refuse a file no door can read; a CSV file must also be UTF-8 (XML declares its own encoding)."""
        if self.problem is not None:
            code, message = self.problem
            raise ImportFileError("file", message, code=code)
        if self.kind is FileKind.CSV and self.utf8_error is not None:
            offset, byte = self.utf8_error
            raise ImportFileError(
                "file",
                _noop(
                    "the file is not UTF-8 encoded (byte %(byte)s at position %(offset)s): "
                    "save it as 'CSV UTF-8' (with or without BOM)"
                ),
                (("byte", f"0x{byte:02x}"), ("offset", offset)),
                code="not_utf8",
            )


def _wide_text(head: bytes, bom: bytes) -> str:
    """The start of a UTF-16 or UTF-32 file as text (a character cut off at the end of ``head`` left out)."""
    codec = {
        codecs.BOM_UTF32_LE: "utf-32-le",
        codecs.BOM_UTF32_BE: "utf-32-be",
        codecs.BOM_UTF16_LE: "utf-16-le",
        codecs.BOM_UTF16_BE: "utf-16-be",
    }[bom]
    return head[len(bom) :].decode(codec, errors="ignore")


def file_inspect(stream: BinaryIO) -> InspectedFile:
    """Hash the whole file and check it is UTF-8 in one streaming pass, then rewind it for the import."""
    hasher = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    head = b""
    offset = 0
    utf8_error: tuple[int, int] | None = None
    while block := stream.read(BLOCK):
        hasher.update(block)
        if len(head) < 64:
            head += block[: 64 - len(head)]
        if utf8_error is None:
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                utf8_error = (offset + exc.start, block[exc.start])
        offset += len(block)
    if utf8_error is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_error = (offset, head[-1] if head else 0)
    stream.seek(0)
    problem = EMPTY if not head.strip() else None
    for signature, refusal in _SIGNATURES.items():
        if head.startswith(signature):
            problem = refusal
    text_start = head.removeprefix(UTF8_BOM).lstrip()
    kind = FileKind.UBL if text_start.startswith(b"<") else FileKind.CSV
    wide = next((bom for bom in _WIDE_BOMS if head.startswith(bom)), None)
    if wide is not None:
        if _wide_text(head, wide).lstrip().startswith("<"):
            kind = FileKind.UBL  # XML names its own encoding: the XML parser reads UTF-16 and UTF-32
        else:
            problem = (
                "not_utf8",
                _noop("the file is UTF-16 or UTF-32 text: save it as 'CSV UTF-8' (with or without BOM)"),
            )
    return InspectedFile(kind=kind, sha256=hasher.hexdigest(), size=offset, utf8_error=utf8_error, problem=problem)
