"""``incasso letters-email [--batch N]``: e-mail the queued letters whose channel is e-mail, over one connection.

Prints a JSON summary (sent, held back by a hold on the case, failed with reasons, ``wait_until`` outside the
Wki contact hours). Exit status 0 when it ran (even with failed letters), 1 when SMTP failed or would not be
encrypted, 2 for bad input. Running it again sends nothing twice.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from incasso.communications.emailing import DEFAULT_BATCH, InsecureEmailError, letters_email_send_due


class Command(BaseCommand):
    help = "E-mail queued letters whose channel is e-mail, within the contact hours, over one SMTP connection."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="at most this many letters")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1:
            self.stdout.write(json.dumps({"error": "invalid_input", "field": "batch", "message": "at least 1"}))
            sys.exit(2)
        try:
            run = letters_email_send_due(now=timezone.now(), batch_size=options["batch"])
        except InsecureEmailError as error:
            self.stdout.write(json.dumps({"error": "insecure_transport", "message": str(error)}))
            sys.exit(1)
        self.stdout.write(json.dumps(run.as_dict()))
        if run.error:
            sys.exit(1)
