"""Public pages: the privacy statement, the cookie choice (banner and settings page), the newsletter.

Thin: each view checks its input, calls one service or selector and renders. Everything works as plain HTML
forms; the cookie banner is enhanced with htmx where it runs (the answer removes the banner without a reload).
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from incasso.consent.cookies import cookie_banner_state, visitor_cookie_set, visitor_id, visitor_id_new
from incasso.consent.models import ConsentMethod, DocumentKind
from incasso.consent.newsletter import (
    InvalidLink,
    subscriber_confirm,
    subscriber_subscribe,
    subscriber_unsubscribe,
)
from incasso.consent.selectors import (
    COOKIE_PURPOSES,
    document_current,
    document_version,
    privacy_statement_versions,
)
from incasso.consent.services import cookie_choice_record

EMAIL_LENGTH = 254  # the longest address the form echoes back after an error (RFC 5321's path limit)


def _language(request: HttpRequest) -> str:
    chosen = request.GET.get("lang") or get_language() or settings.LANGUAGE_CODE
    return "en" if chosen.startswith("en") else "nl"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("home")


def _is_number(value: str) -> bool:
    """A version number as our pages post it: ASCII digits. ``str.isdigit`` alone also admits "²", which ``int``
    refuses."""
    return value.isascii() and value.isdigit()


def privacy_statement(request: HttpRequest, number: int | None = None) -> HttpResponse:
    kind = DocumentKind.PRIVACY_STATEMENT
    version = document_current(kind=kind) if number is None else document_version(kind=kind, number=number)
    if version is None:
        raise Http404("no such privacy statement")
    language = _language(request)
    return render(
        request,
        "consent/privacy_statement.html",
        {
            "version": version,
            "doc_language": language,
            "title": version.title(language),
            "paragraphs": [p for p in version.body(language).split("\n\n") if p.strip()],
            "versions": privacy_statement_versions(),
            "agency": {
                "name": settings.INCASSO_AGENCY_NAME,
                "address": settings.INCASSO_AGENCY_ADDRESS,
                "kvk": settings.INCASSO_AGENCY_KVK_NUMBER,
                "email": settings.INCASSO_AGENCY_EMAIL,
                "phone": settings.INCASSO_AGENCY_PHONE,
            },
        },
    )


@require_http_methods(["GET", "POST"])
def cookie_settings(request: HttpRequest) -> HttpResponse:
    """GET: the choice, re-opened from the footer. POST: accept all, reject all, or the ticked purposes."""
    if request.method == "GET":
        return render(request, "consent/cookie_settings.html", {"banner": cookie_banner_state(request)})
    action = request.POST.get("action", "")
    if action == "accept_all":
        choices, method = dict.fromkeys(COOKIE_PURPOSES, True), ConsentMethod.BUTTON
    elif action == "reject_all":
        choices, method = dict.fromkeys(COOKIE_PURPOSES, False), ConsentMethod.BUTTON
    elif action == "choose":
        choices = {purpose: request.POST.get(purpose) == "on" for purpose in COOKIE_PURPOSES}
        method = ConsentMethod.CHECKBOX
    else:
        return HttpResponse(_("Choose one of the buttons."), status=400, content_type="text/plain")
    shown = {p: int(v) for p in COOKIE_PURPOSES if _is_number(v := request.POST.get(f"{p}_version", ""))}
    visitor = visitor_id(request) or visitor_id_new()
    target = _next(request)
    try:
        cookie_choice_record(
            visitor_id=visitor,
            choices={str(p): given for p, given in choices.items()},
            where=target[:200],
            method=method,
            language=_language(request),
            shown={str(p): v for p, v in shown.items()},
        )
    except ValueError:
        return HttpResponse(_("The cookie texts have changed: reload the page."), status=400, content_type="text/plain")
    # htmx (the banner, enhanced): the answer replaces the banner with nothing. Without JavaScript: back to the page.
    response = HttpResponse("") if request.headers.get("HX-Request") else HttpResponseRedirect(target)
    visitor_cookie_set(response, visitor, secure=request.is_secure())
    return response


@require_http_methods(["GET", "POST"])
def newsletter_subscribe(request: HttpRequest) -> HttpResponse:
    text = document_current(kind=DocumentKind.CONSENT_TEXT, purpose="newsletter")
    if text is None:
        raise Http404("the newsletter is not open for subscription")
    language = _language(request)
    form = {"state": "form", "consent_text": text.body(language), "version": text.pk}
    if request.method == "GET":
        return render(request, "consent/newsletter_subscribe.html", form)
    email = request.POST.get("email", "").strip()
    shown = request.POST.get("version", "")
    # On an error the address typed stays in the field; the consent box is left for the person to tick again
    # (consent is never carried over).
    refused = {**form, "error": True, "email": email[:EMAIL_LENGTH]}
    if request.POST.get("consent") != "on" or "@" not in email or not _is_number(shown):
        return render(request, "consent/newsletter_subscribe.html", refused, status=400)
    try:
        subscriber_subscribe(email=email, language=language, where=request.path, shown=int(shown))
    except ValueError:
        return render(request, "consent/newsletter_subscribe.html", refused, status=400)
    # The same answer whatever happened: it must not reveal who is subscribed or suppressed.
    return render(request, "consent/newsletter_subscribe.html", {"state": "check_mail"})


def newsletter_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber_confirm(token=token, where="e-mail: newsletter confirmation link")
    except InvalidLink as exc:
        return render(request, "consent/newsletter_result.html", {"state": "invalid", "reason": str(exc)}, status=400)
    return render(request, "consent/newsletter_result.html", {"state": "confirmed"})


@csrf_exempt  # RFC 8058 one-click unsubscribe: the mail client POSTs without a session; the token is the secret
@require_http_methods(["GET", "POST"])
def newsletter_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows one button (mail scanners follow links, so GET changes nothing); POST unsubscribes."""
    if request.method == "GET":
        return render(request, "consent/newsletter_result.html", {"state": "unsubscribe", "token": token})
    try:
        subscriber_unsubscribe(token=token)
    except InvalidLink:
        # Already unsubscribed (the data is gone) or a broken link: either way nothing will be sent.
        return render(request, "consent/newsletter_result.html", {"state": "gone"})
    return render(request, "consent/newsletter_result.html", {"state": "unsubscribed"})
