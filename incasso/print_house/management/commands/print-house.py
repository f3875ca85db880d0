"""``incasso print-house send [--date D]`` and ``incasso print-house fetch-reports``.

``send`` uploads every rendered print batch posted up to D (default: today) that is not on the print house's
server yet; ``fetch-reports`` reads the print house's delivery reports. Both print a JSON summary. Exit status 2
for bad input, 1 when the print house could not be reached or a shipment could not be sent (it stays queued).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from incasso.print_house.config import PrintHouseNotConfigured
from incasso.print_house.services import delivery_reports_fetch, shipments_send
from incasso.print_house.sftp import PrintHouseError


class Command(BaseCommand):
    help = "Send print batches to the print house over SFTP, or fetch its delivery reports."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        send = actions.add_parser("send", help="upload every rendered, unsent print batch")
        send.add_argument("--date", help="batches posted up to this date, YYYY-MM-DD (default: today)")
        actions.add_parser("fetch-reports", help="read the print house's delivery reports")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "send":
                self._send(options.get("date"))
            else:
                self._fetch()
        except (PrintHouseError, PrintHouseNotConfigured) as exc:
            self.stdout.write(json.dumps({"error": "print_house", "message": str(exc)}))
            sys.exit(1)

    def _send(self, raw_date: str | None) -> None:
        try:
            on = date.fromisoformat(raw_date) if raw_date else timezone.localdate()
        except ValueError:
            self.stdout.write(json.dumps({"error": "invalid_input", "field": "date", "message": "use YYYY-MM-DD"}))
            sys.exit(2)
        outcome = shipments_send(on=on)
        self.stdout.write(
            json.dumps(
                {"date": on.isoformat(), "sent": outcome.sent, "queued": outcome.queued, "failed": outcome.failed}
            )
        )
        if outcome.queued or outcome.failed:
            sys.exit(1)

    def _fetch(self) -> None:
        outcome = delivery_reports_fetch()
        summary = {
            "reports": outcome.reports,
            "recorded": outcome.recorded,
            "already_known": outcome.already_known,
            "rejected": outcome.rejected,
        }
        self.stdout.write(json.dumps(summary))
