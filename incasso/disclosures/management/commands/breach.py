"""``incasso breach status [--now ISO-8601]``: the open breaches and their 72-hour clocks as JSON (SPEC P-9).

Exit 1 when any clock ran out without the authority being notified (for monitoring); exit 2 on a usage error.
"""

from __future__ import annotations

import datetime
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from incasso.disclosures.selectors import breaches_status


class Command(BaseCommand):
    help = "Breach register: `status` lists the open breaches with their 72-hour clocks (exit 1 when one is overdue)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", help="status")
        parser.add_argument("--now", help="the moment to compute the clocks at (ISO 8601 with offset; default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "status":
            raise CommandError(f"unknown action {options['action']!r}: use status", returncode=2)
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.datetime.fromisoformat(options["now"])
            except ValueError:
                raise CommandError(f"not a moment: {options['now']!r}", returncode=2) from None
            if timezone.is_naive(now):
                raise CommandError("--now needs a UTC offset, e.g. 2026-01-01T09:00:00+01:00", returncode=2)
        status = breaches_status(now=now)
        self.stdout.write(json.dumps(status, indent=2, sort_keys=True))
        if any(entry["overdue"] for entry in status):
            sys.exit(1)
