"""A security alert's details as people read them: ``{% for name, value in alert.details|alert_details %}``.

The alert stores a small JSON object with language-neutral keys (``accounts.access``, ``accounts.alerts``); the page
used to print it as a Python dict. Known keys get a translated name, internal ones (a normalised username kept for
matching) are left out, and a key not named here is shown as it is, so a new kind of alert never hides its details.
"""

from __future__ import annotations

from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

register = template.Library()

NAMES: dict[str, Promise] = {
    "what": _("What was asked for"),
    "caller": _("By"),
    "source": _("From"),
    "case_id": _("Case id"),
    "id": _("Id"),
    "username": _("Username"),
    "failures": _("Failed log-ins"),
    "exports": _("Exports"),
    "distinct_cases": _("Different cases read"),
    "threshold": _("Threshold"),
    "window_minutes": _("Within (minutes)"),
}
HIDDEN = frozenset({"username_key"})


@register.filter
def alert_details(details: object) -> list[tuple[str, str]]:
    if not isinstance(details, dict):
        return []
    return [(str(NAMES.get(key, key)), str(value)) for key, value in details.items() if key not in HIDDEN]
