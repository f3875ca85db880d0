"""``incasso ledger check``: prove every balance from the entries; prints a JSON report, exits 1 on a difference."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from incasso.ledger.verification import ledger_verify


class Command(BaseCommand):
    help = "Ledger tools. `check`: trial balance, every transaction sums to zero, every balance rebuilt twice."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("check", help="verify the ledger; exit 0 when clean, 1 on any difference")

    def handle(self, *args: Any, **options: Any) -> None:
        report = ledger_verify()
        self.stdout.write(json.dumps(report.as_dict(), indent=2))
        if not report.clean:
            sys.exit(1)
