"""``incasso register --format json|csv``: the register of processing activities (GDPR art. 30) on stdout."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incasso.privacy.register_io import FORMATS, register_csv, register_json
from incasso.privacy.selectors import processing_register


class Command(BaseCommand):
    help = "Print the register of processing activities (GDPR art. 30(1) and 30(2)), generated from the data map."

    def add_arguments(self, parser: CommandParser) -> None:
        # No argparse choices: an unknown format is a usage error with exit code 2, said in our words.
        parser.add_argument("--format", default="json", help="json (default) or csv")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        if fmt not in FORMATS:
            raise CommandError(f"unknown format {fmt!r}: use json or csv", returncode=2)
        register = processing_register()
        self.stdout.write(register_json(register) if fmt == "json" else register_csv(register), ending="")
