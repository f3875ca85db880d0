"""``incasso backup create --out FILE | restore FILE | key``: encrypted backups (docs/adr/0008), JSON on stdout."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incasso.backups.services import BackupRefused, backup_create, backup_key_generate, backup_restore


class Command(BaseCommand):
    help = (
        "Encrypted backups of the database under INCASSO_BACKUP_KEY. `create --out FILE`: a consistent dump, "
        "encrypted as it is written. `restore FILE`: replace the database with the backup, bring its schema "
        "forward, erase again what the live database erased since the backup was taken, and export the live audit "
        "entries the backup lacks. `key`: print a new backup key for the secret store."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="write an encrypted backup of the whole database")
        create.add_argument("--out", required=True, type=Path, help="the backup file to write")
        restore = actions.add_parser("restore", help="replace the database with an encrypted backup")
        restore.add_argument("file", type=Path)
        restore.add_argument(
            "--without-live-database",
            action="store_true",
            help="the live database is lost: restore without re-applying its erasures (re-apply them by hand)",
        )
        restore.add_argument(
            "--audit-export",
            type=Path,
            help="where the live audit entries the backup lacks are written (default: beside the backup file)",
        )
        actions.add_parser("key", help="print a new backup key (an age secret key)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "key":
            self.stdout.write(backup_key_generate())
            return
        try:
            if action == "create":
                manifest = backup_create(out=options["out"])
                result: dict[str, object] = {
                    "file": str(options["out"]),
                    "created_at": manifest.created_at.isoformat(),
                    "vendor": manifest.vendor,
                }
            else:
                restored = backup_restore(
                    path=options["file"],
                    live_database=not options["without_live_database"],
                    audit_export=options["audit_export"],
                )
                exported = restored.audit_export
                result = {
                    "backup_created_at": restored.backup_created_at.isoformat(),
                    "erasures_since": restored.erasures_since.isoformat() if restored.erasures_since else None,
                    **dataclasses.asdict(restored.reapplied),
                    "migrated": restored.migrated,
                    "audit_export": str(exported.file) if exported.file else None,
                    "audit_entries_exported": exported.entries,
                }
        except BackupRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(result, sort_keys=True))
