"""``incasso newsletter send --subject S --body-file F [--batch-size N]``: mail confirmed, non-suppressed subscribers.

Also deletes subscriptions that were never confirmed before their link expired. Prints JSON with the counts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incasso.consent.mailing import BATCH_SIZE
from incasso.consent.newsletter import newsletter_send, subscribers_unconfirmed_purge


class Command(BaseCommand):
    help = "Newsletter: `send` mails confirmed subscribers not on the suppression list, in batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", help="send")
        parser.add_argument("--subject", required=True)
        parser.add_argument("--body-file", required=True, help="UTF-8 plain text")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "send":
            raise CommandError(f"unknown action {options['action']!r}: use send", returncode=2)
        try:
            body = Path(options["body_file"]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {options['body_file']}: {exc}", returncode=2) from None
        purged = subscribers_unconfirmed_purge()
        try:
            issue = newsletter_send(subject=options["subject"], body=body, batch_size=options["batch_size"])
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(
            json.dumps(
                {
                    "issue": issue.pk,
                    "recipients": issue.recipients,
                    "batches": issue.batches,
                    "unconfirmed_deleted": purged,
                }
            )
        )
