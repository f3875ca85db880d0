"""``incasso api-key-create --client CODE --name NAME``: issue an API key for one client and print it once.

Only a hash of the key is stored, so this is the only time anyone sees it: hand it to the client securely.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incasso.intake.selectors import client_for_code
from incasso.intake.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key that submits claims for one client; the key is printed once and never again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client", required=True, help="the code of the client the key acts for")
        parser.add_argument("--name", required=True, help="what the key is for, e.g. 'ERP production'")

    def handle(self, *args: Any, **options: Any) -> None:
        client = client_for_code(code=options["client"])
        if client is None:
            raise CommandError(f"there is no client with code {options['client']!r}")
        api_key, key = api_key_create(client=client, name=options["name"])
        self.stdout.write(f"API key {api_key.name!r} for {client.name} ({client.code}), prefix {api_key.prefix}:")
        self.stdout.write(key)
        self.stdout.write("Store it now: it is not shown again. Send it as 'Authorization: Bearer <key>'.")
