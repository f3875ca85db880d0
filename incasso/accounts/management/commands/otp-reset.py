"""``incasso otp-reset USER``: remove a staff member's second-factor devices (lost phone), for administrators.

The user sets up a new authenticator at their next log-in. The reset is audited with the operating-system user
who ran it. Exit 2 when the user does not exist.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from incasso.accounts.second_factor import second_factor_reset


class Command(BaseCommand):
    help = "Remove a user's TOTP devices so they set up a new second factor at their next log-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the user's log-in name (their e-mail address)")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}", returncode=2)
        removed = second_factor_reset(user=user, by=f"cli:{getpass.getuser()}")
        self.stdout.write(
            f"{username}: {removed} second-factor device(s) removed; a new one is set up at the next log-in."
        )
