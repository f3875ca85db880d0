"""Reads for the demo: is there data, and which demo log-ins exist."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from incasso.accounts.roles import Role
from incasso.demo.logins import DEMO_EMAIL_DOMAIN, DemoLogin


def demo_logins() -> list[DemoLogin]:
    """The demo users in the database, staff first in role order, then client users by client code."""
    users = (
        get_user_model()
        .objects.filter(username__endswith=f"@{DEMO_EMAIL_DOMAIN}", is_active=True)
        .prefetch_related("groups", "client_memberships__client")
    )
    logins = []
    for user in users:
        roles = [Role(group.name) for group in user.groups.all() if group.name in Role.values]
        client_codes = [membership.client.code for membership in user.client_memberships.all()]
        for role in roles:
            client_code = client_codes[0] if role is Role.CLIENT_USER and client_codes else None
            logins.append(DemoLogin(username=user.username, role=role, client_code=client_code))
    role_order = list(Role)
    return sorted(logins, key=lambda login: (role_order.index(login.role), login.client_code or "", login.username))
