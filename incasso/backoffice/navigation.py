"""The back-office menu: each link only for the roles whose page it opens."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from incasso.accounts.access import access_has_role
from incasso.accounts.roles import Role
from incasso.backoffice.permissions import ADMIN_ROLES, COMPLAINT_ROLES, LEGAL_HOLD_ROLES, PRIVACY_ROLES
from incasso.backoffice.queues import FINANCE_ROLES


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str | Promise


MENU: tuple[tuple[str, Promise, frozenset[Role]], ...] = (
    ("backoffice:complaints", _("Complaints"), COMPLAINT_ROLES),
    ("rights:staff_queue", _("Data-subject requests"), PRIVACY_ROLES),
    ("backoffice:breaches", _("Breach register"), PRIVACY_ROLES),
    ("privacy-register", _("Register of processing"), PRIVACY_ROLES),
    ("backoffice:legal-holds", _("Legal holds"), LEGAL_HOLD_ROLES),
    ("backoffice:security-alerts", _("Security alerts"), PRIVACY_ROLES),
    ("backoffice:audit-log", _("Audit log"), PRIVACY_ROLES),
    ("backoffice:payouts", _("Payouts"), FINANCE_ROLES),
    ("backoffice:users", _("Users"), ADMIN_ROLES),
    ("backoffice:lockouts", _("Lock-outs"), ADMIN_ROLES),
    ("backoffice:strategies", _("Strategies"), ADMIN_ROLES),
)


def staff_links(*, user: User | AnonymousUser) -> list[NavLink]:
    links = []
    for name, label, roles in MENU:
        if not access_has_role(user=user, roles=roles):
            continue
        try:
            links.append(NavLink(url=reverse(name), label=label))
        except NoReverseMatch:
            continue  # a page of an app that is not installed
    return links
