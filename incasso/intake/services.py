"""Writes of claim intake: API keys, and the one import service every door (REST, CSV, UBL, CLI) goes through.

An import is chunked: each chunk is validated completely first, then its good rows are written in one
transaction (debtor, case and claim together or not at all). Chunks commit one by one so a million-row file
never holds one huge transaction or its rows in memory; a re-run of the same file skips what is already there.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from contextlib import closing, nullcontext
from typing import BinaryIO

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from incasso.audit.services import Actor
from incasso.cases.services import SYSTEM, CaseOpener
from incasso.core.bulk_insert import AnyKey
from incasso.core.collector import cyclic_gc_paused
from incasso.core.read_ahead import read_ahead
from incasso.crypto.services import data_keys_destroy
from incasso.domain.audit_chain import JSONValue
from incasso.domain.data_map import ProcessingPurpose
from incasso.intake.audit import rejected_erased_audit_record
from incasso.intake.csv_format import csv_open
from incasso.intake.files import FileKind, file_inspect
from incasso.intake.models import (
    API_KEY_PREFIX_LENGTH,
    ClientApiKey,
    ImportBatch,
    ImportFormat,
    ImportSource,
    ImportStatus,
)
from incasso.intake.pipeline import validated_chunks
from incasso.intake.rows import (
    SPREADSHEET,
    STRICT,
    ClaimRow,
    Dialect,
    ImportFileError,
    ImportSummary,
    RowError,
)
from incasso.intake.ubl import ubl_read
from incasso.intake.writer import chunk_write
from incasso.integrations.services import intake_checks_queue
from incasso.parties.models import Client

CHUNK_SIZE = 20_000
# Files from about 25,000 rows up are validated in a second process: below that, starting it costs more than it saves.
PARALLEL_FROM_BYTES = 5_000_000
# Longer than any key we issue; anything longer is refused before it is hashed.
API_KEY_MAX_LENGTH = 128


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, client: Client, name: str) -> tuple[ClientApiKey, str]:
    """A new key for ``client``. The plain key is returned once and never stored: show it to the client now."""
    key = secrets.token_urlsafe(32)
    api_key = ClientApiKey(client=client, name=name, prefix=key[:API_KEY_PREFIX_LENGTH], key_hash=api_key_hash(key))
    api_key.full_clean()
    api_key.save()
    return api_key, key


@transaction.atomic
def api_key_revoke(*, api_key: ClientApiKey) -> ClientApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_authenticate(*, key: str) -> Client | None:
    """The client a presented key acts for, or None. Revoked keys are never found; the hash is compared in
    constant time so response timing does not leak how much of a key was right."""
    if len(key) < API_KEY_PREFIX_LENGTH or len(key) > API_KEY_MAX_LENGTH:
        return None
    digest = api_key_hash(key)
    candidates = ClientApiKey.objects.filter(prefix=key[:API_KEY_PREFIX_LENGTH], revoked_at__isnull=True)
    for candidate in candidates.select_related("client"):
        if hmac.compare_digest(candidate.key_hash, digest):
            ClientApiKey.objects.filter(pk=candidate.pk).update(last_used_at=timezone.now())
            return candidate.client
    return None


def claims_import(
    *,
    client: Client,
    rows: Iterable[ClaimRow | RowError],
    source: ImportSource,
    filename: str | None = None,
    file_format: ImportFormat = ImportFormat.JSON,
    sha256: str = "",
    dialect: Dialect = STRICT,
    chunk_size: int = CHUNK_SIZE,
    parallel: bool = False,
    actor: User | None = None,
    actor_name: str | None = None,
) -> ImportSummary:
    """Import a stream of rows for ``client``: good rows go in, bad rows are reported, duplicates are skipped.

    ``rows`` may carry ``RowError``s in place of rows a parser could not read at all; they are reported as is.
    The import is recorded as an ``ImportBatch``; an unexpected failure marks it failed and is raised, leaving
    the chunks before it written and the failing chunk not written at all. ``parallel`` validates in a second
    process while this one writes (worth it for large files; see ``pipeline``).

    Every case the import opens gets an "opened" stage event naming who imported it: ``actor`` (a person),
    else ``actor_name`` (e.g. the client's API key), else the system.
    """
    batch = ImportBatch.objects.create(
        client=client, source=source, file_format=file_format, filename=filename or "", sha256=sha256
    )
    summary = ImportSummary(batch_id=batch.pk, limit=ImportBatch.REJECTED_KEPT)
    opener = CaseOpener(
        actor_id=actor.pk if actor is not None else None,
        actor_name=actor.get_username() if actor is not None else actor_name or SYSTEM,
        source=str(source),
    )
    try:
        # closing(): on a failure the validating child process is stopped at once, not when the traceback goes.
        # With the child, a thread takes in (unpickles and decodes) the next chunk while this one is written: that
        # work then overlaps the database's instead of taking turns with it on the critical path.
        with (
            closing(validated_chunks(rows, dialect, chunk_size, in_child=parallel)) as validated,
            read_ahead(validated) if parallel else nullcontext(validated) as chunks,
        ):
            for chunk in chunks:
                outcome = chunk_write(
                    client=client,
                    claims=chunk.claims,
                    credits=chunk.credits,
                    batch_id=batch.pk,
                    opener=opener,
                    presealed=chunk.presealed,
                )
                summary.created += outcome.created
                summary.duplicates += outcome.duplicates
                # The writer may find several problems with one row (a changed amount and debtor): one rejected row.
                by_row: dict[int, list[RowError]] = {}
                for error in outcome.rejected:
                    by_row.setdefault(error.row, []).append(error)
                rejected = chunk.rejected + list(by_row.values())
                for errors in sorted(rejected, key=lambda errors: errors[0].row):
                    summary.reject(errors)
    except ImportFileError as error:
        _batch_finish(batch, summary, ImportStatus.REFUSED, error.text, refusal=error)
        raise
    except BaseException as error:
        _batch_finish(batch, summary, ImportStatus.FAILED, f"{type(error).__name__}: {error}")
        raise
    _batch_finish(batch, summary, ImportStatus.DONE)
    intake_checks_queue(client_id=client.pk, since=batch.created_at)  # CIR check of the new debtors (C-13)
    return summary


def _batch_finish(
    batch: ImportBatch,
    summary: ImportSummary,
    status: ImportStatus,
    error: str = "",
    *,
    refusal: ImportFileError | None = None,
) -> None:
    """Record how the import ended. A refusal is kept twice: in English as ``error``, and as a last row-0 entry
    of ``rejected`` with its message id and params, so the portal can show it in the reader's language."""
    batch.status = status
    batch.error = error
    batch.created_count = summary.created
    batch.duplicate_count = summary.duplicates
    batch.rejected_count = summary.rejected_count
    batch.rejected = [entry.as_stored() for entry in summary.rejected]
    if refusal is not None:
        batch.rejected.append(refusal.as_stored())
    batch.finished_at = timezone.now()
    batch.save()


@transaction.atomic
def import_batches_rejected_erase(
    *,
    batch_ids: Sequence[int],
    actor: Actor,
    purpose: ProcessingPurpose | str,
    source: str,
    details: dict[str, JSONValue] | None = None,
) -> int:
    """Erase the rejected rows of imports once they must go (the client corrected them, the relationship ended): their
    data keys are destroyed (crypto-shredding, so a backup's copy becomes unreadable once its master version is
    retired) and the column emptied, in a fixed number of statements whatever their number. The imports and their
    counts stay. Each batch erased gets its audit entry here, in the same transaction. Returns how many were erased.
    """
    # Only batches whose key is live hold rows: one without a key had none, one whose key is gone is erased already.
    batches = ImportBatch.objects.filter(
        AnyKey(F("pk"), list(batch_ids)), data_key__isnull=False, data_key__destroyed_at__isnull=True
    )
    erased = list(batches.values_list("pk", "client_id", "data_key_id"))
    if not erased:
        return 0
    # The sealed field refuses plaintext in an update; empty is written as it is.
    batches.update(rejected="")
    destroyed = data_keys_destroy(key_ids=[key_id for _pk, _client_id, key_id in erased])
    rejected_erased_audit_record(
        erased=[(pk, client_id) for pk, client_id, _key_id in erased],
        actor=actor,
        purpose=purpose,
        source=source,
        details=details or {},
    )
    return destroyed


def claims_import_file(
    *,
    client: Client,
    stream: BinaryIO,
    filename: str,
    source: ImportSource,
    chunk_size: int = CHUNK_SIZE,
    actor: User | None = None,
    actor_name: str | None = None,
) -> ImportSummary:
    """Import a CSV or UBL file, told apart by its content. ``stream`` must be seekable: it is read twice, once
    to hash it and check its encoding, once to import it, so nothing is read into memory as a whole.

    Raises ``ImportFileError`` when the file cannot be read at all; then nothing was written, and the refusal
    is recorded as an ``ImportBatch``.
    """
    inspected = file_inspect(stream)
    file_format = ImportFormat.UBL if inspected.kind is FileKind.UBL else ImportFormat.CSV
    try:
        inspected.raise_if_unreadable()
        if inspected.kind is FileKind.UBL:
            rows: Iterable[ClaimRow | RowError] = [ubl_read(stream)]
            dialect = STRICT
        else:
            rows = csv_open(stream)
            dialect = SPREADSHEET
    except ImportFileError as error:
        ImportBatch.objects.create(
            client=client,
            source=source,
            file_format=file_format,
            filename=filename,
            sha256=inspected.sha256,
            status=ImportStatus.REFUSED,
            error=error.text,
            rejected=[error.as_stored()],
            finished_at=timezone.now(),
        )
        raise
    large = inspected.size >= PARALLEL_FROM_BYTES
    with cyclic_gc_paused() if large else nullcontext():
        return claims_import(
            client=client,
            rows=rows,
            source=source,
            filename=filename,
            file_format=file_format,
            sha256=inspected.sha256,
            dialect=dialect,
            chunk_size=chunk_size,
            parallel=large,
            actor=actor,
            actor_name=actor_name,
        )
