"""Staff pages need a verified second factor and the accepted confidentiality statement (P-7).

Runs after ``AuthenticationMiddleware`` and django-otp's ``OTPMiddleware``. An authenticated agency staff member
is sent to

1. ``/second-factor/setup/`` (no confirmed TOTP device yet) or ``/second-factor/verify/`` (this session not yet
   verified), unless ``INCASSO_DEMO_SKIP_SECOND_FACTOR`` is on (demo database only);
2. ``/confidentiality/`` while they have not accepted the statement in force;

before any other page. The log-in, log-out, language switch, those pages themselves, static files and the REST
API (which authenticates with API keys, not sessions) are exempt. Client users: the second factor is optional
for now and the confidentiality statement is for staff only, so they pass.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from incasso.accounts.access import access_is_staff
from incasso.accounts.confidentiality import confidentiality_accepted
from incasso.accounts.second_factor import second_factor_confirmed_device, second_factor_skipped

EXEMPT_URL_NAMES = (
    "login",
    "logout",
    "set_language",
    "second-factor-setup",
    "second-factor-verify",
    "confidentiality",
)
EXEMPT_PREFIXES = ("/api/",)


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` parameter when it points into this site; ``default`` otherwise."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


class StaffAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        redirect = self._gate(request)
        return redirect if redirect is not None else self.get_response(request)

    def _gate(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or self._exempt(request.path_info):
            return None
        if not access_is_staff(user=user):
            return None
        assert isinstance(user, User)  # noqa: S101 - access_is_staff is true only for a User
        if not second_factor_skipped() and not _is_verified(user):
            name = "second-factor-verify" if second_factor_confirmed_device(user=user) else "second-factor-setup"
            return _redirect(name, request)
        if not confidentiality_accepted(user=user):
            return _redirect("confidentiality", request)
        return None

    @staticmethod
    def _exempt(path: str) -> bool:
        static = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}"
        if path.startswith((*EXEMPT_PREFIXES, static)):
            return True
        return any(path == reverse(name) for name in EXEMPT_URL_NAMES)


def _is_verified(user: User) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def _redirect(name: str, request: HttpRequest) -> HttpResponse:
    target = reverse(name)
    if request.method == "GET":
        target = f"{target}?{urlencode({'next': request.get_full_path()})}"
    return HttpResponseRedirect(target)
