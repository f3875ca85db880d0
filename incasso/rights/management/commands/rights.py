"""``incasso rights report [--date D] [--near-days N]``: overdue and near-due requests as JSON.
``incasso rights fetch-mail``: read the privacy mailbox (INCASSO_RIGHTS_IMAP_*) into received requests.

Exit 2 on a usage error; 1 when the mailbox is not configured or cannot be read.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from incasso.integrations.resilience import ServiceUnavailable
from incasso.rights.mailbox import MailboxConfig, MailboxError, mailbox_intake
from incasso.rights.selectors import NEAR_DUE_DAYS, requests_deadline_report


class Command(BaseCommand):
    help = "Data-subject requests: `report` (overdue and near-due, JSON) or `fetch-mail` (read the privacy mailbox)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", help="report | fetch-mail")
        parser.add_argument("--date", help="report as of this day (YYYY-MM-DD; default: today)")
        parser.add_argument("--near-days", type=int, default=NEAR_DUE_DAYS, help="near-due: due within N days")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "report":
            self._report(options)
        elif options["action"] == "fetch-mail":
            self._fetch()
        else:
            raise CommandError(f"unknown action {options['action']!r}: use report or fetch-mail", returncode=2)

    def _report(self, options: dict[str, Any]) -> None:
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"not a date: {options['date']!r} (use YYYY-MM-DD)", returncode=2) from None
        if options["near_days"] < 0:
            raise CommandError("--near-days is at least 0", returncode=2)
        report = requests_deadline_report(today=today, near_days=options["near_days"])
        self.stdout.write(json.dumps({"date": today.isoformat(), **dataclasses.asdict(report)}, indent=2))

    def _fetch(self) -> None:
        config = MailboxConfig.from_settings()
        if config is None:
            raise CommandError("the privacy mailbox is not configured: set INCASSO_RIGHTS_IMAP_HOST", returncode=1)
        try:
            created = mailbox_intake(config=config)
        except (ServiceUnavailable, MailboxError) as error:
            raise CommandError(f"the privacy mailbox could not be read: {error}", returncode=1) from error
        self.stdout.write(json.dumps({"received": len(created), "requests": [r.reference for r in created]}))
