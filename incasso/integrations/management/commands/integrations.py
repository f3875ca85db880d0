"""``incasso integrations retry`` and ``incasso integrations cir-check [--date D]``."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from incasso.integrations.cir.client import CirError
from incasso.integrations.cir.services import cir_check_open_cases
from incasso.integrations.services import integrations_retry


class Command(BaseCommand):
    help = (
        "Outside services. `retry`: run the queued calls that are due. "
        "`cir-check`: check the debtors of all open cases against the insolvency register."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        retry = actions.add_parser("retry", help="run the queued outside calls that are due")
        retry.add_argument("--limit", type=int, default=500, help="at most this many calls")
        check = actions.add_parser("cir-check", help="check the debtors of open cases against the CIR")
        check.add_argument("--date", type=datetime.date.fromisoformat, default=None, help="the day (YYYY-MM-DD)")
        check.add_argument("--chunk-size", type=int, default=500, help="debtors per chunk")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "retry":
            report = integrations_retry(limit=options["limit"])
            self.stdout.write(f"due {report.due}, succeeded {report.succeeded}, failed {report.failed} (kept)")
            return
        on = options["date"] or timezone.localdate()
        try:
            checked = cir_check_open_cases(on=on, chunk_size=options["chunk_size"])
        except CirError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"CIR check {on}: checked {checked.checked}, hits {checked.hits}, holds placed {checked.holds_placed}, "
            f"queued {checked.queued} (of {checked.unreached} unreachable), skipped {checked.skipped}"
        )
