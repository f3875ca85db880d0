import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from incasso.accounts.factories import ClientMembershipFactory, UserFactory
from incasso.accounts.roles import STAFF_ROLES, Role
from incasso.accounts.selectors import user_client_ids, user_roles
from incasso.accounts.services import client_membership_create, role_groups_ensure, user_create

pytestmark = pytest.mark.django_db


def test_the_migration_creates_a_group_per_role():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_role_groups_ensure_recreates_missing_groups():
    Group.objects.filter(name=Role.AUDITOR).delete()
    groups = role_groups_ensure()
    assert groups[Role.AUDITOR].name == "auditor"
    assert Group.objects.filter(name__in=Role.values).count() == len(Role)


def test_client_user_is_not_staff():
    assert Role.CLIENT_USER not in STAFF_ROLES
    assert len(STAFF_ROLES) == len(Role) - 1


def test_user_create_hashes_with_argon2_and_assigns_roles():
    user = user_create(email="legal@example.com", password="correct-Horse-battery-9", roles=[Role.LEGAL_OFFICER])
    assert user.password.startswith("argon2$")
    assert user.check_password("correct-Horse-battery-9")
    assert user.is_staff and not user.is_superuser
    assert user_roles(user=user) == {Role.LEGAL_OFFICER}


def test_user_create_refuses_a_weak_password():
    with pytest.raises(ValidationError):
        user_create(email="weak@example.com", password="password", roles=[Role.COLLECTOR])


def test_a_client_user_acts_for_its_clients_only(creditor):
    user = UserFactory()
    client_membership_create(user=user, client=creditor)
    assert user_client_ids(user=user) == {creditor.pk}
    assert user_client_ids(user=UserFactory()) == frozenset()


def test_a_membership_is_unique(creditor):
    membership = ClientMembershipFactory(client=creditor)
    with pytest.raises(IntegrityError):
        ClientMembershipFactory(user=membership.user, client=creditor)
