"""The files a print house receives: the batch PDF and a CSV manifest, written atomically, with checksums.

The manifest lets the print house (and an auditor) check every envelope against the PDF: which pages belong to
which letter, to which address, with which payment reference. Both files hold personal data, so they are
written readable by the owner and group only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

MANIFEST_COLUMNS = (
    "sequence",
    "letter_id",
    "case_number",
    "kind",
    "language",
    "name",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "address_line_4",
    "postcode",
    "city",
    "country",
    "first_page",
    "page_count",
    "rf_reference",
)


@dataclass(frozen=True, slots=True)
class ManifestRow:
    letter_id: int
    case_number: str
    kind: str
    language: str
    name: str
    address_lines: Sequence[str]  # as in the envelope window, name first
    postcode: str
    city: str
    country: str
    first_page: int
    page_count: int
    rf_reference: str


@dataclass(frozen=True, slots=True)
class PrintFiles:
    pdf_path: str  # relative to the media directory
    manifest_path: str
    pdf_sha256: str
    manifest_sha256: str


def manifest_csv(rows: Sequence[ManifestRow]) -> bytes:
    """UTF-8 CSV, one row per letter in PDF order, ``sequence`` counting from 1."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(MANIFEST_COLUMNS)
    for sequence, row in enumerate(rows, start=1):
        lines = [*row.address_lines, "", "", "", ""][:4]
        writer.writerow(
            [
                sequence,
                row.letter_id,
                row.case_number,
                row.kind,
                row.language,
                row.name,
                *lines,
                row.postcode,
                row.city,
                row.country,
                row.first_page,
                row.page_count,
                row.rf_reference,
            ]
        )
    return out.getvalue().encode("utf-8")


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as handle:
        os.fchmod(handle.fileno(), 0o640)
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)  # a print house polling the directory never sees half a file


def print_files_write(*, media_dir: Path, batch_id: int, on: date, pdf: bytes, manifest: bytes) -> PrintFiles:
    stem = f"print/{on:%Y/%m/%d}/batch-{batch_id:06d}"
    pdf_path, manifest_path = f"{stem}.pdf", f"{stem}.csv"
    _write_atomically(media_dir / pdf_path, pdf)
    _write_atomically(media_dir / manifest_path, manifest)
    return PrintFiles(
        pdf_path=pdf_path,
        manifest_path=manifest_path,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        manifest_sha256=hashlib.sha256(manifest).hexdigest(),
    )
