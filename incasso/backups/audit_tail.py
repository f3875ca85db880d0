"""The audit entries a restore replaces: those the live database wrote after the backup was taken are not in the
backup. They are exported, before the live database is replaced, to a file the operator keeps (JSON lines, one
entry each, as stored: ``incasso.domain.audit_chain`` re-computes every hash from them), and the restore's own
audit entry names that file's digest, so the restored chain says what it replaced (docs/adr/0008).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from incasso.audit.models import AuditChainHead, AuditEvent, stored_fields
from incasso.backups.archive import BackupRefused

CHUNK = 2_000
_COLUMNS = [f.attname for f in AuditEvent._meta.concrete_fields if f.attname != "fields"]


@dataclass(frozen=True)
class LiveHead:
    """The live chain's last entry when the restore locked the database."""

    sequence: int
    hash: str


def _rows(since: datetime) -> Iterator[dict[str, Any]]:
    last = 0
    query = AuditEvent.objects.filter(occurred_at__gte=since).order_by("sequence")
    while True:
        chunk = list(query.filter(sequence__gt=last).values(*_COLUMNS, stored=stored_fields())[:CHUNK])
        if not chunk:
            return
        last = chunk[-1]["sequence"]
        yield from chunk


def audit_tail_read(*, since: datetime, into: Path) -> LiveHead:
    """Inside the restore's transaction, before the replacement: write the live entries from ``since`` on to
    ``into`` (a superset of what the backup lacks) and return the live chain's head."""
    with into.open("w", encoding="utf-8") as out:
        for row in _rows(since):
            row["fields"] = row.pop("stored")
            out.write(json.dumps(row, default=_json_default, sort_keys=True, ensure_ascii=False) + "\n")
    head = AuditChainHead.objects.filter(pk=1).values_list("last_sequence", "last_hash").first()
    return LiveHead(*head) if head else LiveHead(0, "")


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} in an audit entry")


@dataclass(frozen=True)
class AuditExport:
    file: Path | None  # None: the restore replaced no entry
    entries: int
    first_sequence: int | None
    last_sequence: int | None
    sha256: str


def audit_tail_export(*, tail: Path, out: Path) -> AuditExport:
    """After the replacement, in the same transaction: keep of ``tail`` the entries the restored chain does not
    have (by hash) and write them to ``out`` (owner-only, never over an existing file). Nothing is written when
    there are none."""
    digest = hashlib.sha256()
    count, first, last = 0, None, None
    target: BinaryIO | None = None
    try:
        with tail.open(encoding="utf-8") as lines:
            for batch in _batches(lines):
                hashes = [entry["hash"] for entry, _ in batch]
                restored = set(AuditEvent.objects.filter(hash__in=hashes).values_list("hash", flat=True))
                for entry, line in batch:
                    if entry["hash"] in restored:
                        continue
                    if target is None:
                        target = _created(out)
                    data = line.encode()
                    target.write(data)
                    digest.update(data)
                    count += 1
                    first = entry["sequence"] if first is None else first
                    last = entry["sequence"]
        if target is not None:
            target.flush()
            os.fsync(target.fileno())
    finally:
        if target is not None:
            target.close()
    if target is None:
        return AuditExport(None, 0, None, None, "")
    return AuditExport(out, count, first, last, digest.hexdigest())


def _created(out: Path) -> BinaryIO:
    try:
        return os.fdopen(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
    except FileExistsError:
        raise BackupRefused(f"{out} exists: the live audit entries would be exported there; name another") from None
    except OSError as exc:
        raise BackupRefused(f"cannot write the audit export {out}: {exc.strerror}") from None


def _batches(lines: Iterator[str]) -> Iterator[list[tuple[dict[str, Any], str]]]:
    batch: list[tuple[dict[str, Any], str]] = []
    for line in lines:
        batch.append((json.loads(line), line))
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch
