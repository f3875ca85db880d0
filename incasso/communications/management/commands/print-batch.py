"""``incasso print-batch [--date D] [--limit N]``: render the day's queued letters into one PDF and a manifest.

Prints a JSON summary: the batch, its files (relative to INCASSO_MEDIA_DIR) and their SHA-256, and how many
letters failed (with the reason on each letter). Exit status 2 for bad input; 0 when nothing was queued.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from incasso.communications.models import Letter, LetterStatus
from incasso.communications.services import print_batch_render


class Command(BaseCommand):
    help = "Render every queued postal letter due by a date into one print batch (PDF + CSV manifest)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the posting date, YYYY-MM-DD (default: today in Europe/Amsterdam)")
        parser.add_argument("--limit", type=int, help="at most this many letters in the batch")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            self.stdout.write(json.dumps({"error": "invalid_input", "field": "date", "message": "use YYYY-MM-DD"}))
            sys.exit(2)
        if options["limit"] is not None and options["limit"] < 1:
            self.stdout.write(json.dumps({"error": "invalid_input", "field": "limit", "message": "at least 1"}))
            sys.exit(2)
        batch = print_batch_render(on=on, limit=options["limit"])
        failed = Letter.objects.filter(status=LetterStatus.FAILED, planned_for__lte=on).count()
        if batch is None:
            self.stdout.write(json.dumps({"date": on.isoformat(), "batch": None, "letters": 0, "failed": failed}))
            return
        summary = {
            "date": on.isoformat(),
            "batch": batch.pk,
            "letters": batch.letter_count,
            "failed": failed,
            "pdf": batch.pdf_path,
            "pdf_sha256": batch.pdf_sha256,
            "manifest": batch.manifest_path,
            "manifest_sha256": batch.manifest_sha256,
        }
        self.stdout.write(json.dumps(summary))
