"""Making and restoring encrypted backups (docs/adr/0008).

The key is an age secret key from the environment (``INCASSO_BACKUP_KEY`` or ``INCASSO_BACKUP_KEY_FILE``), never
from the repository or the database: whoever holds a backup file without it holds nothing readable. A restore
decrypts and checks the whole file and its schema before it touches the database; then, in one transaction with
every other writer locked out, reads what the live database erased, replaces the database, brings its schema
forward, erases again what the live database had erased (``erasures``) and records the restore in the audit log,
having exported the live audit entries the backup lacks (``audit_tail``).
"""

from __future__ import annotations

import dataclasses
import getpass
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
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
from incasso.backups.audit_tail import AuditExport, LiveHead, audit_tail_export, audit_tail_read
from incasso.backups.databases import (
    database_lock,
    database_replace,
    dump_open,
    payload_check,
    private_directory,
    replacement_prepared,
    vendor,
)
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
from incasso.backups.schema import app_version, migrations_applied, schema_check, schema_forward
from incasso.crypto import keyring
from incasso.domain.audit_chain import JSONValue

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
    """Write an encrypted backup of the whole database to ``out``, stamped with the time before the dump began, the
    migrations applied and the code's version."""
    identity = _identity()
    manifest = Manifest(
        created_at=timezone.now(), vendor=vendor(), migrations=migrations_applied(), app_version=app_version()
    )
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
            details={
                "backup_created_at": manifest.created_at.isoformat(),
                "file": out.name,
                "app_version": manifest.app_version,
                "migrations": len(manifest.migrations),
            },
        )
    return manifest


@dataclass(frozen=True)
class RestoreResult:
    backup_created_at: datetime
    erasures_since: datetime | None  # None: restored without the live database's erasures
    reapplied: Reapplied
    migrated: list[str]  # the code's migrations the backup lacked, applied after loading
    audit_export: AuditExport


def audit_export_path(backup: Path, now: datetime) -> Path:
    """Where the live audit entries a restore replaces are written unless told: beside the backup file."""
    return backup.with_name(f"{backup.name}.audit-replaced-{now:%Y%m%dT%H%M%S%fZ}.jsonl")


def backup_restore(
    *, path: Path, live_database: bool = True, audit_export: Path | None = None, operator: str | None = None
) -> RestoreResult:
    """Replace the database with the backup at ``path``, keeping erased what was erased since it was taken.

    In one transaction, after every other writer is locked out: what the live database erased is read, the
    database is replaced, the schema brought forward to the code's, the erasures applied again, and the restore
    recorded in the audit log; the live audit entries the backup lacks go to ``audit_export`` first. Refused, with
    nothing changed, when the key is missing or wrong, the file was altered, cut off or is no backup, the backup is
    of another kind of database or of a newer schema than the code, or (unless ``live_database`` is False) the live
    database cannot say what it erased.
    """
    identity = _identity()
    current = vendor()
    started = timezone.now()
    export_to = audit_export or audit_export_path(path, started)
    if export_to.exists():
        raise BackupRefused(f"{export_to} exists: the live audit entries would be exported there; name another")
    with private_directory() as workdir:
        payload = workdir / "payload"
        manifest = archive_read(path=path, payload=payload, identity=identity)
        if manifest.vendor != current:
            raise BackupRefused(f"a backup of a {manifest.vendor} database cannot be restored into {current}")
        missing = schema_check(migrations=manifest.migrations, app_version_of_backup=manifest.app_version)
        payload_check(payload)
        try:
            with replacement_prepared(payload), transaction.atomic():
                return _restore_locked(
                    workdir=workdir,
                    payload=payload,
                    manifest=manifest,
                    live_database=live_database,
                    missing=missing,
                    export_to=export_to,
                    details={
                        "file": path.name,
                        "file_sha256": _file_digest(path),
                        "operator": operator or _operator(),
                    },
                )
        except BackupRefused:
            raise  # refused before the export was written (or because its file appeared meanwhile)
        except DatabaseError as exc:
            export_to.unlink(missing_ok=True)
            raise BackupRefused(f"the restore failed, nothing was changed: {exc}") from None
        except BaseException:
            export_to.unlink(missing_ok=True)
            raise


def _restore_locked(
    *,
    workdir: Path,
    payload: Path,
    manifest: Manifest,
    live_database: bool,
    missing: list[str],
    export_to: Path,
    details: dict[str, JSONValue],
) -> RestoreResult:
    database_lock()
    since = manifest.created_at - OVERLAP
    erasures: ErasuresSince | None = None
    tail = workdir / "audit-tail.jsonl"
    live_head = LiveHead(0, "")
    if live_database:
        try:
            # A savepoint: on PostgreSQL a failed read would otherwise abort the whole transaction.
            with transaction.atomic():
                erasures = erasures_since(since=since)
                live_head = audit_tail_read(since=since, into=tail)
        except (LiveDatabaseUnreadable, DatabaseError) as exc:
            raise BackupRefused(
                f"the live database cannot say what was erased since the backup ({exc}); if it is lost, restore "
                "with --without-live-database and re-apply the erasures recorded elsewhere (docs/adr/0008)"
            ) from None
    database_replace(workdir, payload)
    keyring.keys_cache_clear()
    if missing:
        schema_forward()
    exported = audit_tail_export(tail=tail, out=export_to) if live_database else AuditExport(None, 0, None, None, "")
    reapplied = erasures_reapply(erasures=erasures, backup_created_at=manifest.created_at) if erasures else Reapplied()
    audit_record(
        actor=ACTOR,
        action=AuditAction.UPDATE,
        subject=None,
        fields=[],
        purpose=PURPOSE,
        source=SOURCE,
        details={
            **details,
            "backup_created_at": manifest.created_at.isoformat(),
            "backup_app_version": manifest.app_version,
            "app_version": app_version(),
            "migrated": [*map(str, missing)],
            "erasures_reapplied": erasures is not None,
            **{name: int(value) for name, value in dataclasses.asdict(reapplied).items()},
            "live_head": {"sequence": live_head.sequence, "hash": live_head.hash},
            "audit_export": {
                "file": exported.file.name if exported.file else None,
                "entries": exported.entries,
                "first_sequence": exported.first_sequence,
                "last_sequence": exported.last_sequence,
                "sha256": exported.sha256,
            },
        },
    )
    return RestoreResult(
        backup_created_at=manifest.created_at,
        erasures_since=erasures.since if erasures else None,
        reapplied=reapplied,
        migrated=missing,
        audit_export=exported,
    )


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _operator() -> str:
    """Who ran the restore: the operating-system account (a restore runs on the server, not through a log-in)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
