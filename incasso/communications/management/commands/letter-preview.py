"""``incasso letter-preview CASE_NUMBER --kind K [--language nl|en] [--output FILE]``: one letter as a PDF.

For checking a template or a case's letter before it goes out: the letter is written as if posted today, with a
placeholder instead of a portal code, and nothing is stored.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from incasso.cases.models import Case
from incasso.communications.letter_data import LetterDataError
from incasso.communications.models import Letter, LetterKind, LetterLanguage
from incasso.communications.services import letter_render_single
from incasso.domain.payment_reference import rf_for_case


class Command(BaseCommand):
    help = "Write one letter of a case as a PDF, as it would be printed today (nothing is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case_number")
        parser.add_argument("--kind", required=True, choices=LetterKind.values)
        parser.add_argument("--language", default=LetterLanguage.DUTCH, choices=LetterLanguage.values)
        parser.add_argument("--output", default="-", help="PDF file, or - for standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        case = Case.objects.filter(number=options["case_number"]).first()
        if case is None:
            self._fail("case_number", "no such case")
        # An unsaved letter: the preview path needs only its kind, language, case and reference.
        letter = Letter(
            pk=0,
            case=case,
            kind=options["kind"],
            language=options["language"],
            planned_for=timezone.localdate(),
            rf_reference=rf_for_case(case.number),
        )
        try:
            pdf = letter_render_single(letter=letter)
        except LetterDataError as exc:
            self._fail("case_number", str(exc))
        if options["output"] == "-":
            sys.stdout.buffer.write(pdf)
        else:
            Path(options["output"]).write_bytes(pdf)

    def _fail(self, field: str, message: str) -> NoReturn:
        self.stdout.write(json.dumps({"error": "invalid_input", "field": field, "message": message}))
        sys.exit(2)
