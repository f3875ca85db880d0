"""``incasso instalment-reminders [--batch N]``: e-mail the reminders of instalments that fall due soon.

Run it every hour or so in the Wki contact hours (cron, or Celery beat); outside them it sends nothing and says when
to try again. Prints a JSON summary ``{"sent": n, "cancelled": n, "wait_until": ISO or null}``; exit 2 on bad input.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from incasso.arrangements.reminders import BATCH, instalment_reminders_send


class Command(BaseCommand):
    help = "E-mail the reminders of payment-plan instalments that fall due within a few days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=BATCH, help=f"at most this many per run (default {BATCH})")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1:
            self.stdout.write(json.dumps({"error": "invalid_input", "field": "batch", "message": "at least 1"}))
            sys.exit(2)
        summary = instalment_reminders_send(now=timezone.now(), limit=options["batch"])
        wait_until = summary.wait_until.isoformat() if summary.wait_until else None
        self.stdout.write(json.dumps({"sent": summary.sent, "cancelled": summary.cancelled, "wait_until": wait_until}))
