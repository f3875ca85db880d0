"""Reads for log-ins and roles."""

from __future__ import annotations

from django.contrib.auth.models import User

from incasso.accounts.models import ClientMembership, SecurityAlert
from incasso.accounts.roles import STAFF_ROLES, Role


def user_roles(*, user: User) -> frozenset[Role]:
    names = user.groups.filter(name__in=Role.values).values_list("name", flat=True)
    return frozenset(Role(name) for name in names)


def user_client_ids(*, user: User) -> frozenset[int]:
    """The clients a client user acts for; empty for agency staff."""
    return frozenset(ClientMembership.objects.filter(user=user).values_list("client_id", flat=True))


def user_is_agency_staff(*, user: User) -> bool:
    """Whether the user works for the agency (any staff role, or a superuser); client users and debtors do not."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name__in=[role.value for role in STAFF_ROLES]).exists()


def security_alerts_recent(*, limit: int = 200) -> list[SecurityAlert]:
    """The newest security alerts first, for the privacy officer's page."""
    return list(SecurityAlert.objects.select_related("user")[:limit])
