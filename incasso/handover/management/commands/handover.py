"""``incasso handover send --case N --recipient CODE`` and ``incasso handover poll``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incasso.cases.models import Case
from incasso.disclosures.errors import TransferRefused
from incasso.handover.models import HandoverRecipient
from incasso.handover.services import HandoverRefused, handover_poll, handover_send
from incasso.handover.transport import HandoverTransportError
from incasso.integrations.resilience import ServiceUnavailable

ACTOR = "handover command"


class Command(BaseCommand):
    help = "Hand case files over to partner agencies abroad, bailiffs and lawyers, and read their status reports."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        send = actions.add_parser("send", help="hand one case over")
        send.add_argument("--case", required=True, help="the case number")
        send.add_argument("--recipient", required=True, help="the hand-over recipient's code")
        actions.add_parser("poll", help="read the recipients' status files")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "poll":
            try:
                report = handover_poll()
            except HandoverTransportError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"status files read {report.read}, applied {report.applied}")
            for error in report.errors:
                self.stderr.write(error)
            return
        case = Case.objects.select_related("debtor").filter(number=options["case"]).first()
        recipient = HandoverRecipient.objects.select_related("recipient").filter(code=options["recipient"]).first()
        if case is None or recipient is None:
            raise CommandError("no such case or hand-over recipient")
        try:
            handover = handover_send(case=case, recipient=recipient, actor=ACTOR)
        except (TransferRefused, HandoverRefused, HandoverTransportError, ServiceUnavailable) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{handover.package_name}: {handover.status}")
