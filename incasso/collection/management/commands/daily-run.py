"""``incasso daily-run [--date D]``: bring every due open case up to date; prints a JSON summary."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from incasso.collection.daily_run import CHUNK_SIZE, daily_run
from incasso.collection.dispatch import chunk_runner


class Command(BaseCommand):
    help = "Decide and plan the next measure of every open case that is due (idempotent per date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the run date, YYYY-MM-DD (default: today in Europe/Amsterdam)")
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            self.stdout.write(json.dumps({"error": "invalid_input", "field": "date", "message": "use YYYY-MM-DD"}))
            sys.exit(2)
        summary = daily_run(on=on, chunk_size=options["chunk_size"], run_chunks=chunk_runner())
        self.stdout.write(json.dumps({"date": on.isoformat(), **asdict(summary)}))
