"""Writes for log-ins, roles and client memberships."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from incasso.accounts.models import ClientMembership
from incasso.accounts.roles import STAFF_ROLES, Role
from incasso.parties.models import Client


def role_groups_ensure() -> dict[Role, Group]:
    """The group of every role, creating any that is missing (the migration creates them; a flush removes them)."""
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    missing = [Group(name=role.value) for role in Role if role.value not in groups]
    if missing:
        Group.objects.bulk_create(missing)
        groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    return {role: groups[role.value] for role in Role}


@transaction.atomic
def user_create(*, email: str, password: str, roles: Iterable[Role], full_name: str = "") -> User:
    """A log-in named by its e-mail address. Staff roles may open the admin site; only administrators manage it."""
    role_set = frozenset(roles)
    given, _space, family = full_name.partition(" ")
    user = User(
        username=email,
        email=email,
        first_name=given,
        last_name=family,
        is_staff=bool(role_set & set(STAFF_ROLES)),
        is_superuser=Role.ADMINISTRATOR in role_set,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    groups = role_groups_ensure()
    user.groups.set([groups[role] for role in role_set])
    return user


@transaction.atomic
def client_membership_create(*, user: User, client: Client) -> ClientMembership:
    membership = ClientMembership(user=user, client=client)
    membership.full_clean()
    membership.save()
    return membership
