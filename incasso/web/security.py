"""Security headers Django does not set itself: the Content-Security-Policy and a Permissions-Policy.

Django 5.2 has no built-in CSP. The policy allows scripts and styles from this site only (no inline script or
style, no ``eval``): templates use the one stylesheet and the vendored htmx, never ``style=`` or ``<script>``
blocks. The policy comes from settings (``INCASSO_CSP``) so a deployment can add a reporting endpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEFAULT_POLICY: Mapping[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def content_security_policy() -> str:
    policy: Mapping[str, str] = getattr(settings, "INCASSO_CSP", DEFAULT_POLICY)
    return "; ".join(f"{directive} {sources}".strip() for directive, sources in policy.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
