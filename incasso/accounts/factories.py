# mypy: disable-error-code="no-untyped-call"
# (factory_boy declares its declarations without types.)
"""Test factories for log-ins and client memberships."""

from __future__ import annotations

import factory
from django.contrib.auth.models import User
from factory.declarations import SelfAttribute, Sequence, SubFactory

from incasso.accounts.models import ClientMembership
from incasso.parties.factories import ClientFactory


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A user without a usable password (hashing with Argon2 is slow); use force_login, or pass ``password``."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = Sequence(lambda n: f"user{n}@example.com")
    email = SelfAttribute("username")
    password = factory.django.Password(None)


class ClientMembershipFactory(factory.django.DjangoModelFactory[ClientMembership]):
    class Meta:
        model = ClientMembership

    user = SubFactory(UserFactory)
    client = SubFactory(ClientFactory)
