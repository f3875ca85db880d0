"""``incasso aml check-client --client CODE`` and ``incasso aml purge [--date D]``."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from incasso.aml.models import AmlRole
from incasso.aml.services import aml_check, aml_checks_purge
from incasso.disclosures.errors import TransferRefused
from incasso.integrations.cir.client import CirError
from incasso.integrations.recipients import RecipientNotRegistered
from incasso.integrations.resilience import ServiceUnavailable
from incasso.integrations.rest.client import RestError
from incasso.parties.models import Client

ACTOR = "aml command"


class Command(BaseCommand):
    help = "AML and acceptance checks. `check-client`: check a client in the public registers. `purge`: retention."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        check = actions.add_parser("check-client", help="check a client against the KvK and insolvency registers")
        check.add_argument("--client", required=True, help="the client's code")
        purge = actions.add_parser("purge", help="delete the checks whose retention period has ended")
        purge.add_argument("--date", type=datetime.date.fromisoformat, default=None, help="the day (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = options.get("date") or timezone.localdate()
        if options["action"] == "purge":
            self.stdout.write(f"AML checks purged: {aml_checks_purge(as_of=today)}")
            return
        client = Client.objects.filter(code=options["client"]).first()
        if client is None or not client.kvk_number:
            raise CommandError("no such client, or it has no KvK number")
        errors = (TransferRefused, RecipientNotRegistered, ServiceUnavailable, RestError, CirError, ValueError)
        try:
            check = aml_check(
                subject=client, role=AmlRole.CLIENT, actor=ACTOR, today=today, kvk_number=client.kvk_number
            )
        except errors as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{client.code}: {check.outcome} {check.evidence}, kept until {check.retain_until}")
