"""``incasso retention sweep [--dry-run] [--purpose P] [--chunk-size N] [--date D]``: enforce retention (SPEC P-2).

Prints JSON per purpose, ``{"debt_collection": {"removed": n}}`` (dry run: ``would_remove``). Exit 2 on a usage
error. Stopped half-way, it keeps what it finished; run it again to do the rest.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from incasso.privacy.retention.sweep import DEFAULT_CHUNK_SIZE, UnknownPurpose, retention_sweep


class Command(BaseCommand):
    help = "Retention: `sweep` anonymises or deletes the data whose retention period ended (--dry-run: count only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", help="sweep")
        parser.add_argument("--dry-run", action="store_true", help="count what would be done; write only the record")
        parser.add_argument("--purpose", action="append", help="a purpose (repeatable; default: all)")
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="subjects per transaction")
        parser.add_argument("--date", help="the day to sweep as of (YYYY-MM-DD; default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "sweep":
            raise CommandError(f"unknown action {options['action']!r}: use sweep", returncode=2)
        try:
            as_of = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"not a date: {options['date']!r} (use YYYY-MM-DD)", returncode=2) from None
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size is at least 1", returncode=2)
        try:
            result = retention_sweep(
                as_of=as_of, dry_run=options["dry_run"], purposes=options["purpose"], chunk_size=options["chunk_size"]
            )
        except UnknownPurpose as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(json.dumps(result.counts, sort_keys=True))
