"""Idle sessions expire (P-7): staff after ``INCASSO_STAFF_IDLE_SECONDS`` without a request, every other session
(client users, debtors in their portal) after ``INCASSO_IDLE_SECONDS``.

The time of the last request is kept in the session, rewritten at most once a minute so that busy pages do not
write the session on every request. An expired session is flushed (logged out) and the user is sent to the log-in
page with a message; a request without a session is left alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from incasso.accounts.access import access_is_staff

LAST_SEEN_KEY = "_incasso_last_seen"
REFRESH_SECONDS = 60


def idle_limit_seconds(request: HttpRequest) -> int:
    if access_is_staff(user=request.user):
        return int(settings.INCASSO_STAFF_IDLE_SECONDS)
    return int(settings.INCASSO_IDLE_SECONDS)


class IdleSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        now = int(time.time())
        last_seen = session.get(LAST_SEEN_KEY)
        if isinstance(last_seen, int) and now - last_seen > idle_limit_seconds(request):
            was_logged_in = request.user.is_authenticated
            logout(request)  # flushes the session, for anonymous portal sessions too
            if was_logged_in and not request.path_info.startswith("/api/"):
                # The log-in page says why (``?idle=1``): the messages framework runs after this middleware.
                query = {"idle": "1"}
                if request.method == "GET":
                    query["next"] = request.get_full_path()
                return HttpResponseRedirect(f"{reverse('login')}?{urlencode(query)}")
            last_seen = None
        stale = isinstance(last_seen, int) and now - last_seen >= REFRESH_SECONDS
        if stale or (last_seen is None and request.user.is_authenticated):
            session[LAST_SEEN_KEY] = now
        response = self.get_response(request)
        # A portal that just started an anonymous session (the debtor portal) gets the clock too, in the same write.
        if session.modified and LAST_SEEN_KEY not in session and not session.is_empty():
            session[LAST_SEEN_KEY] = now
        return response


def on_user_logged_in_mark_seen(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """Start the idle clock at log-in, in the session write the log-in makes anyway."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(time.time())
