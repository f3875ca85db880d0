"""Test helpers: a staff member with roles and a team, logged in the way the middleware wants (second factor verified,
statement accepted)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, User
from django.test import Client as HttpClient
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from incasso.accounts.confidentiality import confidentiality_accept, confidentiality_statement_current
from incasso.accounts.factories import UserFactory
from incasso.accounts.models import Team
from incasso.parties.models import Client


def make_staff(username: str, *roles: str, clients: Iterable[Client] = ()) -> User:
    """A staff member with ``roles``, in a team of their own working ``clients`` (when there are any)."""
    user: User = UserFactory(username=username)  # type: ignore[no-untyped-call,assignment]  # factory_boy is untyped
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    clients = list(clients)
    if clients:
        team = Team.objects.create(name=f"team of {username}")
        team.clients.add(*clients)
        team.members.add(user)
    return user


def staff_login(http: HttpClient, user: User, *, accept_statement: bool = True) -> TOTPDevice:
    """``force_login`` plus a confirmed TOTP device verified in the session, and the statement accepted."""
    http.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    statement = confidentiality_statement_current()
    if accept_statement and statement is not None:
        confidentiality_accept(user=user, statement=statement, source="test")
    return device
