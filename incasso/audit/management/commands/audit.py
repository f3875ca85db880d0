"""``incasso audit verify``: walk the audit chain; exit 0 when whole, 1 naming the first broken entry."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from incasso.audit.verification import DEFAULT_CHUNK_SIZE, audit_chain_verify


class Command(BaseCommand):
    help = "Audit log tools. `verify`: check every link of the hash chain and its head."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        verify = actions.add_parser("verify", help="exit 0 when the chain is whole, 1 at the first broken entry")
        verify.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="rows read per query")

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_verify(chunk_size=options["chunk_size"])
        if report.broken is not None:
            self.stderr.write(f"audit chain broken at {report.broken} ({report.entries} entries before it verified)")
            sys.exit(1)
        # The head hash printed here is worth keeping outside the database: it pins everything before it.
        self.stdout.write(
            f"audit chain whole: {report.entries} entries, head {report.last_sequence} {report.last_hash}"
        )
