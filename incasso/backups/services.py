"""Making and restoring encrypted backups (docs/adr/0008).

The key is an age secret key from the environment (``INCASSO_BACKUP_KEY`` or ``INCASSO_BACKUP_KEY_FILE``), never
from the repository or the database: whoever holds a backup file without it holds nothing readable. A restore
decrypts and checks the whole file before it touches the database, then replaces the database in one transaction,
then erases again what the live database had erased since the backup's time (``erasures``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.backups.archive import (
    BackupRefused,
    Manifest,
    archive_read,
    archive_write,
    identity_generate,
    identity_parse,
)
from incasso.backups.databases import database_replace, dump_open, private_directory, vendor
from incasso.backups.erasures import (
    ACTOR,
    OVERLAP,
    PURPOSE,
    SOURCE,
    ErasuresSince,
    LiveDatabaseUnreadable,
    Reapplied,
    erasures_reapply,
    erasures_since,
)
from incasso.crypto import keyring

__all__ = ["BackupRefused", "RestoreResult", "backup_create", "backup_key_generate", "backup_restore"]


def _identity() -> Any:
    secret = settings.INCASSO_BACKUP_KEY
    if not secret:
        raise BackupRefused(
            "INCASSO_BACKUP_KEY is not set: backups are encrypted with it. Make one with `incasso backup key` and "
            "keep it in the secret store, apart from the backups"
        )
    return identity_parse(secret)


def backup_key_generate() -> str:
    """A new backup key (an age secret key), for the secret store."""
    return identity_generate()


def backup_create(*, out: Path) -> Manifest:
    """Write an encrypted backup of the whole database to ``out``, stamped with the time before the dump began."""
    identity = _identity()
    manifest = Manifest(created_at=timezone.now(), vendor=vendor())
    # Written beside ``out`` and moved into place only once the dump has ended well: ``out`` is never a partial backup.
    partial = out.with_name(out.name + ".part")
    try:
        with private_directory() as workdir, dump_open(workdir) as dump:
            archive_write(out=partial, manifest=manifest, dump=dump, identity=identity)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(out)
    with transaction.atomic():
        audit_record(
            actor="backup create",
            action=AuditAction.EXPORT,
            subject=None,
            fields=[],
            purpose=PURPOSE,
            source=SOURCE,
            details={"backup_created_at": manifest.created_at.isoformat(), "file": out.name},
        )
    return manifest


@dataclass(frozen=True)
class RestoreResult:
    backup_created_at: datetime
    erasures_since: datetime | None  # None: restored without the live database's erasures
    reapplied: Reapplied


def backup_restore(*, path: Path, live_database: bool = True) -> RestoreResult:
    """Replace the database with the backup at ``path``, keeping erased what was erased since it was taken.

    Refused, with nothing changed, when the key is missing or wrong, the file was altered or cut off, the backup is
    of another kind of database, or (unless ``live_database`` is False) the live database cannot say what it erased.
    """
    identity = _identity()
    current = vendor()
    with private_directory() as workdir:
        payload = workdir / "payload"
        manifest = archive_read(path=path, payload=payload, identity=identity)
        if manifest.vendor != current:
            raise BackupRefused(f"a backup of a {manifest.vendor} database cannot be restored into {current}")
        erasures: ErasuresSince | None = None
        if live_database:
            try:
                erasures = erasures_since(since=manifest.created_at - OVERLAP)
            except LiveDatabaseUnreadable as exc:
                raise BackupRefused(
                    f"the live database cannot say what was erased since the backup ({exc}); if it is lost, restore "
                    "with --without-live-database and re-apply the erasures recorded elsewhere (docs/adr/0008)"
                ) from None
        database_replace(payload)
    keyring.keys_cache_clear()
    if erasures is not None:
        reapplied = erasures_reapply(erasures=erasures, backup_created_at=manifest.created_at)
    else:
        reapplied = Reapplied(anonymised=0, keys_destroyed=0)
    with transaction.atomic():
        audit_record(
            actor=ACTOR,
            action=AuditAction.UPDATE,
            subject=None,
            fields=[],
            purpose=PURPOSE,
            source=SOURCE,
            details={
                "backup_created_at": manifest.created_at.isoformat(),
                "erasures_reapplied": erasures is not None,
                "anonymised": reapplied.anonymised,
                "keys_destroyed": reapplied.keys_destroyed,
            },
        )
    return RestoreResult(
        backup_created_at=manifest.created_at,
        erasures_since=erasures.since if erasures else None,
        reapplied=reapplied,
    )
