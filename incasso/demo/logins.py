"""The demo log-ins: one per staff role and one per demo client, all with the same documented password.

The password exists only here and in the users that ``incasso demo`` creates: it is never a setting, and a
database without demo data has no account that accepts it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from incasso.accounts.roles import STAFF_ROLES, Role

DEMO_PASSWORD = "demo-Incasso-2026!"  # noqa: S105 - a published demo password, not a secret
DEMO_EMAIL_DOMAIN = "demo.incasso.test"  # .test is reserved (RFC 2606): no real mailbox


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    client_code: str | None = None


def demo_login_plan(*, client_codes: Iterable[str]) -> list[DemoLogin]:
    staff = [
        DemoLogin(username=f"{role.value.replace('_', '-')}@{DEMO_EMAIL_DOMAIN}", role=role) for role in STAFF_ROLES
    ]
    client_users = [
        DemoLogin(username=f"client-{code}@{DEMO_EMAIL_DOMAIN}", role=Role.CLIENT_USER, client_code=code)
        for code in client_codes
    ]
    return staff + client_users


def demo_logins_table(logins: Iterable[DemoLogin], *, password: str = DEMO_PASSWORD) -> str:
    """The log-ins as a small fixed-width table for a terminal."""
    header = ("username", "role", "client", "password")
    rows = [(login.username, login.role.value, login.client_code or "-", password) for login in logins]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(tuple("-" * width for width in widths)), *map(line, rows)])
