"""``incasso quote [FILE|-]``: read a quote request as JSON, write the quote as JSON.

Exit status 0 with the quote on standard output; 2 with ``{"error", "field", "message"}`` on standard output
when the input cannot be read or is invalid. Never a traceback for bad input.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from incasso.domain.quote import QuoteError
from incasso.domain.quote_io import loads, render_error
from incasso.legal.services import quote_document_calculate


class Command(BaseCommand):
    help = "Compute what a debtor owes on a date and where each payment went (JSON in, JSON out)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default="-", help="request file, or - for standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = self._read(options["file"])
            result = quote_document_calculate(loads(text))
        except QuoteError as error:
            self.stdout.write(json.dumps(render_error(error)))
            sys.exit(2)
        self.stdout.write(json.dumps(result, indent=2))

    def _read(self, name: str) -> bytes:
        if name == "-":
            return sys.stdin.buffer.read()
        try:
            return Path(name).read_bytes()
        except OSError as exc:
            raise QuoteError("file", f"cannot read {name}: {exc.strerror}") from None
