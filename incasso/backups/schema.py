"""The schema a backup has and the code can take: the migrations applied when it was made, checked against the
migrations the code knows before anything is touched, and brought forward after loading (docs/adr/0008).
"""

from __future__ import annotations

import importlib.metadata
from io import StringIO

from django.core.management import call_command
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from incasso.backups.archive import BackupRefused


def app_version() -> str:
    try:
        return importlib.metadata.version("incasso")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def migrations_applied() -> tuple[str, ...]:
    """The migrations the database has applied, as ``app.name``."""
    return tuple(sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()))


def _migrations_known() -> set[str]:
    # Every migration on disk, squashed ones and those they replace included: a backup made before a squash still
    # has the replaced names applied.
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


def schema_check(*, migrations: tuple[str, ...], app_version_of_backup: str) -> list[str]:
    """Refuse a backup whose schema is newer than the code's; return the code's migrations it lacks (applied after
    loading)."""
    known = _migrations_known()
    newer = sorted(set(migrations) - known)
    if newer:
        shown = ", ".join(newer[:5]) + (f" and {len(newer) - 5} more" if len(newer) > 5 else "")
        raise BackupRefused(
            f"the backup's schema is newer than this code ({app_version()}): it has migrations this code does not "
            f"know ({shown}); restore it with the code that made it (version {app_version_of_backup or 'unknown'})"
        )
    return sorted(known - set(migrations))


def schema_forward() -> None:
    """Apply the code's migrations the restored database lacks, inside the restore's transaction."""
    try:
        call_command("migrate", interactive=False, verbosity=0, skip_checks=True, stdout=StringIO())
    except DatabaseError:
        raise
    except Exception as exc:  # whatever a migration raises: the restore is rolled back and refused
        raise BackupRefused(f"the backup's schema could not be brought forward, nothing was changed: {exc}") from exc
