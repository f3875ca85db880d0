"""``incasso import-claims --client CODE FILE``: import a CSV file or a UBL e-invoice for one client.

Prints the JSON summary ``{"created", "duplicates", "rejected": [{"row", "field", "error"}]}``; ``field`` is the
stable name of the field, ``error`` the reason in the active language (LANGUAGE_CODE, Dutch by default). Exit status 0
when the file was read, even if rows were rejected; 2 when it could not be read at all (missing file, unknown
client, wrong encoding, not CSV or UBL, missing columns), with ``error`` a stable code (``missing_columns``,
``not_utf8``, ``unknown_client``, ...) and ``message`` the reason in the active language; 1 when the import itself
failed (e.g. the database went away), after the chunks before the failure were written. Never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext_noop as _noop

from incasso.intake.models import ImportSource
from incasso.intake.rows import ImportFileError, ImportSummary
from incasso.intake.selectors import client_for_code
from incasso.intake.services import claims_import_file


class Command(BaseCommand):
    help = "Import claims from a CSV file or a UBL 2.1 e-invoice (format detected from the content)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client", required=True, help="the code of the client the claims belong to")
        parser.add_argument("file", help="a CSV file or a UBL Invoice/CreditNote XML file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = self._import(options["client"], Path(options["file"]))
        except DatabaseError as exc:
            self.stdout.write(
                json.dumps({"error": "import_failed", "message": f"the import failed and was stopped: {exc}"})
            )
            sys.exit(1)
        self.stdout.write(json.dumps(summary.as_dict(translate=True), indent=2, ensure_ascii=False))

    def _import(self, code: str, path: Path) -> ImportSummary:
        client = client_for_code(code=code)
        if client is None:
            self._refuse(
                ImportFileError(
                    "client",
                    _noop("there is no client with code %(code)s"),
                    (("code", repr(code)),),
                    code="unknown_client",
                )
            )
        try:
            with path.open("rb") as stream:
                return claims_import_file(client=client, stream=stream, filename=path.name, source=ImportSource.CLI)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self._refuse(
                ImportFileError(
                    "file",
                    _noop("cannot read %(path)s: %(reason)s"),
                    (("path", str(path)), ("reason", reason)),
                    code="unreadable_file",
                )
            )
        except ImportFileError as error:
            self._refuse(error)

    def _refuse(self, error: ImportFileError) -> NoReturn:
        message = error.render(translate=True)
        body = {
            "error": error.code,
            "message": message,
            "created": 0,
            "duplicates": 0,
            "rejected": [{"row": 0, "field": error.field, "error": message}],
        }
        self.stdout.write(json.dumps(body, indent=2, ensure_ascii=False))
        sys.exit(2)
