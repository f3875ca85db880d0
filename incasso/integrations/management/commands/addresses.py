"""``incasso addresses refresh``: apply the address service's change feed to the debtors' addresses."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incasso.integrations.address.services import addresses_refresh
from incasso.integrations.resilience import ServiceUnavailable
from incasso.integrations.rest.client import RestError


class Command(BaseCommand):
    help = "Addresses. `refresh`: apply the address service's change feed since the last run."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        refresh = actions.add_parser("refresh", help="apply the change feed since the last run")
        refresh.add_argument("--batch-size", type=int, default=1000, help="debtors per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = addresses_refresh(batch_size=options["batch_size"])
        except (RestError, ServiceUnavailable) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"address feed: {report.pages} pages, {report.changes} changes, "
            f"{report.debtors_updated} debtors updated, cursor {report.cursor!r}"
        )
