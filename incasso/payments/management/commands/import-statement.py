"""``incasso import-statement FILE``: import a bank statement (camt.053, camt.054 or MT940) and match it.

Prints the JSON summary ``{"entries", "matched", "unmatched", "returned", "ignored", "duplicates",
"skipped": [{"entry", "reason"}]}``. Exit status 0 when the file was read, even if entries were skipped; 2 when it
could not be read at all (missing file, not a statement, unsafe XML), with ``{"error": ...}``; 1 when the import
itself failed (e.g. the database or the ledger went away), after the chunks before the failure were booked.
Never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from incasso.payments.parsers import StatementFileError
from incasso.payments.services import StatementSummary, statement_import


class Command(BaseCommand):
    help = "Import a bank statement (camt.053, camt.054 or MT940; told apart by content) and match its payments."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the statement file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = self._import(Path(options["file"]))
        except (DatabaseError, ImportError) as exc:
            self.stdout.write(json.dumps({"error": f"the import failed and was stopped: {exc}"}))
            sys.exit(1)
        self.stdout.write(json.dumps(summary.as_dict(), indent=2, ensure_ascii=False))

    def _import(self, path: Path) -> StatementSummary:
        try:
            with path.open("rb") as stream:
                return statement_import(stream=stream, filename=path.name)
        except OSError as exc:
            self._refuse(f"cannot read {path}: {exc.strerror or exc}")
        except StatementFileError as error:
            self._refuse(error.message)

    def _refuse(self, message: str) -> NoReturn:
        self.stdout.write(json.dumps({"error": message}, indent=2, ensure_ascii=False))
        sys.exit(2)
