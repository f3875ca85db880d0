"""Role checks of the back office: every page is for agency staff, some for a few roles only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from incasso.accounts.access import ALL_CASES_ROLES, PRIVACY_PAGE_ROLES, access_has_role, access_is_staff
from incasso.accounts.roles import STAFF_ROLES, Role

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponse]

EVERY_STAFF_ROLE: frozenset[Role] = frozenset(STAFF_ROLES)
ADMIN_ROLES: frozenset[Role] = frozenset({Role.ADMINISTRATOR})
PRIVACY_ROLES: frozenset[Role] = PRIVACY_PAGE_ROLES
LEGAL_HOLD_ROLES: frozenset[Role] = frozenset(
    {Role.PRIVACY_OFFICER, Role.LEGAL_OFFICER, Role.ADMINISTRATOR, Role.AUDITOR}
)
COMPLAINT_ROLES: frozenset[Role] = frozenset(ALL_CASES_ROLES | {Role.COLLECTOR})
# Who may end a debtor-portal lock once they know the debtor (on the phone): the case's collector, an administrator.
PORTAL_UNLOCK_ROLES: frozenset[Role] = frozenset({Role.ADMINISTRATOR, Role.COLLECTOR})


def staff_user(request: HttpRequest) -> User:
    """The logged-in staff member; ``PermissionDenied`` for anybody else."""
    user = request.user
    if not isinstance(user, User) or not access_is_staff(user=user):
        raise PermissionDenied
    return user


def staff_page(roles: frozenset[Role] = EVERY_STAFF_ROLE) -> Callable[[View[P]], View[P]]:
    """A back-office page: logged in (else to the log-in page), staff, and one of ``roles`` (else 403)."""

    def decorate(view: View[P]) -> View[P]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            staff_user(request)
            if not access_has_role(user=request.user, roles=roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return cast(View[P], login_required(wrapped))

    return decorate
