"""``incasso print-batch [--date D] [--limit N]``: render the day's queued letters into print batches.

Each batch is one PDF and a manifest of at most ``services.PRINT_BATCH_MAX_LETTERS`` letters; without
``--limit`` the command renders batches until the queue is empty, with ``--limit N`` one batch of at most N.
Prints one JSON line per batch: the batch, its files (relative to INCASSO_MEDIA_DIR) and their SHA-256, and how
many letters failed (with the reason on each letter); one line with ``"batch": null`` when nothing was queued.
Exit status 2 for bad input.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from incasso.communications.models import Letter, LetterStatus, PrintBatch
from incasso.communications.services import print_batch_render


class Command(BaseCommand):
    help = "Render the queued postal letters due by a date into print batches (each a PDF + CSV manifest)."

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
        limit = options["limit"]
        printed = 0
        while True:
            batch = print_batch_render(on=on, limit=limit)
            if batch is None:
                if not printed:
                    failed = Letter.objects.filter(status=LetterStatus.FAILED, planned_for__lte=on).count()
                    nothing = {"date": on.isoformat(), "batch": None, "letters": 0, "failed": failed}
                    self.stdout.write(json.dumps(nothing))
                return
            self._summary_write(on, batch)
            printed += 1
            if limit is not None:
                return

    def _summary_write(self, on: date, batch: PrintBatch) -> None:
        failed = Letter.objects.filter(status=LetterStatus.FAILED, planned_for__lte=on).count()
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
