"""User and role administration by an administrator (back office): create a log-in, set roles, teams and whether
it may log in. Every change is audited with the administrator as actor."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction

from incasso.accounts.models import Team
from incasso.accounts.roles import STAFF_ROLES, Role
from incasso.accounts.services import role_groups_ensure, user_create
from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.domain.audit_chain import JSONValue
from incasso.domain.data_map import ProcessingPurpose


class LastAdministrator(ValueError):
    """The change would leave no active administrator."""


def _audit(*, by: User, user: User, action: AuditAction, source: str, roles: frozenset[Role], teams: list[str]) -> None:
    role_names: list[JSONValue] = []
    role_names.extend(sorted(role.value for role in roles))
    team_names: list[JSONValue] = []
    team_names.extend(teams)
    audit_record(
        actor=by,
        action=action,
        subject=user,
        fields=["roles", "teams", "is_active"],
        purpose=ProcessingPurpose.SECURITY,
        source=source,
        details={"roles": role_names, "teams": team_names, "active": user.is_active},
    )


@transaction.atomic
def staff_user_create(
    *, by: User, email: str, password: str, full_name: str, roles: Iterable[Role], teams: Iterable[Team], source: str
) -> User:
    """A new log-in with its roles and teams (a weak password: ``ValidationError``, nothing stored)."""
    role_set = frozenset(roles)
    user = user_create(email=email, password=password, roles=role_set, full_name=full_name)
    team_list = list(teams)
    user.teams.set(team_list)
    _audit(
        by=by, user=user, action=AuditAction.CREATE, source=source, roles=role_set, teams=[t.name for t in team_list]
    )
    return user


@transaction.atomic
def staff_user_update(
    *, by: User, user: User, roles: Iterable[Role], teams: Iterable[Team], active: bool, source: str
) -> User:
    """Set the roles, teams and active flag of a log-in. The last active administrator cannot lose that role."""
    role_set = frozenset(roles)
    losing_admin = Role.ADMINISTRATOR not in role_set or not active
    if losing_admin and user.groups.filter(name=Role.ADMINISTRATOR).exists():
        others = User.objects.filter(groups__name=Role.ADMINISTRATOR, is_active=True).exclude(pk=user.pk)
        if not others.exists():
            raise LastAdministrator("the last active administrator")
    groups = role_groups_ensure()
    user.groups.set([groups[role] for role in role_set])
    user.is_active = active
    user.is_staff = bool(role_set & set(STAFF_ROLES))
    user.is_superuser = Role.ADMINISTRATOR in role_set
    user.save(update_fields=["is_active", "is_staff", "is_superuser"])
    team_list = list(teams)
    user.teams.set(team_list)
    _audit(
        by=by, user=user, action=AuditAction.UPDATE, source=source, roles=role_set, teams=[t.name for t in team_list]
    )
    return user
