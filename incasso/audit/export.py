"""The audit log as CSV (the back office's export of a filtered view), one row per entry, streamed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from incasso.audit.chain import timestamp_text
from incasso.audit.models import AuditEvent

COLUMNS = (
    "sequence",
    "occurred_at",
    "actor",
    "action",
    "subject_type",
    "subject_id",
    "fields",
    "purpose",
    "source",
    "details",
    "prev_hash",
    "hash",
)
# A cell a spreadsheet would read as a formula (an actor label or a detail can be any text) is kept as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def audit_log_csv(entries: Iterable[AuditEvent]) -> Iterator[str]:
    """The header, then each entry's row, as text lines (UTC times, the fields a named set stands for spelled out)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")

    def line(cells: Iterable[str]) -> str:
        writer.writerow([_text(cell) for cell in cells])
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    yield line(COLUMNS)
    for entry in entries:
        yield line(
            (
                str(entry.sequence),
                timestamp_text(entry.occurred_at),
                entry.actor_label,
                entry.action,
                entry.subject_type,
                entry.subject_id,
                " ".join(entry.fields),
                entry.purpose,
                entry.source,
                json.dumps(entry.details, sort_keys=True, ensure_ascii=False),
                entry.prev_hash,
                entry.hash,
            )
        )


def _text(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell
