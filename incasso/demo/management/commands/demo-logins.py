"""``incasso demo-logins``: print the demo log-ins and their password as a small table."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from incasso.demo.logins import demo_logins_table
from incasso.demo.selectors import demo_logins


class Command(BaseCommand):
    help = "Print the demo log-ins (username, role, client, password)."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = demo_logins()
        if not logins:
            self.stdout.write("No demo log-ins yet: run `incasso demo` first.")
            return
        self.stdout.write("Demo log-ins (demo data only; never use these on real data):")
        self.stdout.write(demo_logins_table(logins))
