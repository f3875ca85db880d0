"""The portal session: bound to one debtor at log-in, short-lived, and separate from staff and client log-ins.

A staff or client user's log-in gives no access to the portal's pages: only the keys set here by a successful
portal log-in do, and ``access_debtor_case`` then limits every read to that debtor's cases.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from incasso.debtor_portal.login import PortalIdentity

SESSION_KEY = "debtor_portal"
# A portal session lasts half an hour: a debtor who steps away from a shared computer is logged out soon.
SESSION_SECONDS = 30 * 60

P = ParamSpec("P")


def session_bind(request: HttpRequest, identity: PortalIdentity) -> None:
    """A fresh session key (no fixation) holding the debtor, for ``SESSION_SECONDS``."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"debtor_id": identity.debtor_id, "case_id": identity.case_id}
    request.session.set_expiry(SESSION_SECONDS)


def session_end(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def session_identity(request: HttpRequest) -> PortalIdentity | None:
    value = request.session.get(SESSION_KEY)
    if not isinstance(value, dict):
        return None
    debtor_id, case_id = value.get("debtor_id"), value.get("case_id")
    if not isinstance(debtor_id, int) or not isinstance(case_id, int):
        return None
    return PortalIdentity(debtor_id=debtor_id, case_id=case_id)


def debtor_required(
    view: Callable[Concatenate[HttpRequest, PortalIdentity, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Pass the session's identity to the view; without one, back to the portal's log-in."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        identity = session_identity(request)
        if identity is None:
            return HttpResponseRedirect(reverse("debtor_portal:login"))
        return view(request, identity, *args, **kwargs)

    return wrapper
