"""Who may see and record a debtor's circumstances (C-7: visible only to roles that need it).

The collectors of the case's client (through ``access_cases``), the legal officer, and the privacy officer for
data-subject requests may read them; collectors and legal officers may record them. Client users, finance, the
auditor and the administrator see the case but not these: they do not need the debtor's finances to do their work.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from incasso.accounts.access import AnyUser, access_has_role, access_roles
from incasso.accounts.roles import Role

READ_ROLES: frozenset[Role] = frozenset({Role.COLLECTOR, Role.LEGAL_OFFICER, Role.PRIVACY_OFFICER})
WRITE_ROLES: frozenset[Role] = frozenset({Role.COLLECTOR, Role.LEGAL_OFFICER})


def circumstances_may_read(*, user: AnyUser) -> bool:
    return _holds(user, READ_ROLES)


def circumstances_may_record(*, user: AnyUser) -> bool:
    return _holds(user, WRITE_ROLES)


def _holds(user: AnyUser, roles: frozenset[Role]) -> bool:
    # A superuser passes ``access_has_role`` whatever its groups; here only the roles count.
    return isinstance(user, User) and access_has_role(user=user, roles=roles) and bool(access_roles(user=user) & roles)


def circumstances_read_check(*, user: AnyUser) -> None:
    if not circumstances_may_read(user=user):
        raise PermissionDenied(_("The debtor's circumstances are for collectors, legal and privacy officers only."))


def circumstances_record_check(*, user: AnyUser) -> None:
    if not circumstances_may_record(user=user):
        raise PermissionDenied(_("Only collectors and legal officers record the debtor's circumstances."))
