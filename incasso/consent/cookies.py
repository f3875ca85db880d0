"""The cookie banner's state for a request: the visitor's random id cookie and whether to ask (again)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from incasso.consent.models import ConsentPurpose, DocumentKind, DocumentVersion
from incasso.consent.selectors import COOKIE_PURPOSES, cookie_choices, document_current

VISITOR_COOKIE = "incasso_visitor"
VISITOR_COOKIE_MAX_AGE = 365 * 24 * 3600  # the choice is asked again after a year at the latest


@dataclass(frozen=True, slots=True)
class CookiePurposeState:
    purpose: ConsentPurpose
    text: DocumentVersion | None
    given: bool  # never pre-ticked: True only when the visitor said yes to the text in force


@dataclass(frozen=True, slots=True)
class CookieBanner:
    show: bool  # no answer yet, or a consent text changed since the answer
    purposes: tuple[CookiePurposeState, ...]


def visitor_id(request: HttpRequest) -> str | None:
    value = request.COOKIES.get(VISITOR_COOKIE, "")
    return value if 16 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum() else None


def visitor_id_new() -> str:
    return secrets.token_urlsafe(24)


def visitor_cookie_set(response: HttpResponse, value: str, *, secure: bool) -> None:
    """First-party, not readable by scripts; strictly necessary (it only remembers the cookie choice)."""
    response.set_cookie(
        VISITOR_COOKIE, value, max_age=VISITOR_COOKIE_MAX_AGE, httponly=True, samesite="Lax", secure=secure
    )


def cookie_banner_state(request: HttpRequest) -> CookieBanner:
    """Two queries at most: the visitor's latest answers and the consent texts in force."""
    answers = cookie_choices(visitor_id(request))
    states = []
    show = False
    for purpose in COOKIE_PURPOSES:
        text = document_current(kind=DocumentKind.CONSENT_TEXT, purpose=purpose)
        answer = answers.get(purpose)
        current = answer is not None and text is not None and answer.version_id == text.pk
        show = show or (text is not None and not current)
        states.append(CookiePurposeState(purpose, text, bool(current and answer and answer.given)))
    return CookieBanner(show=show, purposes=tuple(states))
