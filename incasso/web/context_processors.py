"""What every page of every portal needs from the shell (``web/base.html``): the agency and the kind of user."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest

from incasso.accounts.access import access_is_staff
from incasso.backoffice.navigation import NavLink, staff_links


@dataclass(frozen=True)
class Shell:
    agency_name: str
    is_staff: bool
    privacy_statement_url: str
    complaints_url: str
    staff_links: list[NavLink] = field(default_factory=list)


def shell(request: HttpRequest) -> dict[str, Shell]:
    user = getattr(request, "user", None)
    is_staff = user is not None and access_is_staff(user=user)
    return {
        "shell": Shell(
            agency_name=settings.INCASSO_AGENCY_NAME,
            is_staff=is_staff,
            privacy_statement_url=settings.INCASSO_PRIVACY_STATEMENT_URL,
            complaints_url=settings.INCASSO_AGENCY_COMPLAINTS_URL,
            staff_links=staff_links(user=user) if is_staff and user is not None else [],
        )
    }
