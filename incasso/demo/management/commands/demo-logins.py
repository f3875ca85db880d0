"""``incasso demo-logins``: print the demo log-ins and their password as a small table."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from incasso.accounts.roles import Role
from incasso.demo.logins import demo_logins_table
from incasso.demo.portal_login import demo_portal_login_ensure
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
        client_user = next((login for login in logins if login.role is Role.CLIENT_USER), None)
        if client_user is not None:
            self.stdout.write(
                f"\nClient portal at /client/: log in at /login/?next=/client/ as {client_user.username} "
                "(each client-… log-in sees its own client only)."
            )
        portal = demo_portal_login_ensure()
        if portal is not None:
            born = f" or date of birth {portal.date_of_birth:%d-%m-%Y}" if portal.date_of_birth else ""
            self.stdout.write(
                f"\nDebtor portal (Plan&Pay) at /debtor/: case number {portal.case_number}, code {portal.code}, "
                f"postcode {portal.postcode}{born} (owes {portal.total} today)."
            )
