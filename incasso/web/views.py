from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from incasso.accounts.access import access_has_role, access_is_staff, request_source
from incasso.accounts.confidentiality import confidentiality_accept, confidentiality_statement_current
from incasso.accounts.middleware import safe_next
from incasso.accounts.roles import Role
from incasso.accounts.second_factor import (
    second_factor_confirm,
    second_factor_confirmed_device,
    second_factor_qr_svg,
    second_factor_setup_start,
    second_factor_verify,
)

CLIENT_PORTAL_HOME = "client_portal:dashboard"


def home(request: HttpRequest) -> HttpResponse:
    """The front door: staff go to the back office, client users to the client portal, visitors see a welcome."""
    if access_is_staff(user=request.user):
        return HttpResponseRedirect(reverse("backoffice:home"))
    if access_has_role(user=request.user, roles=frozenset({Role.CLIENT_USER})):
        try:
            return HttpResponseRedirect(reverse(CLIENT_PORTAL_HOME))
        except NoReverseMatch:
            pass  # the client portal is not installed
    return render(request, "web/home.html", {"agency_name": settings.INCASSO_AGENCY_NAME})


def _logged_in_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then confirm with a first code."""
    user = _logged_in_user(request)
    if second_factor_confirmed_device(user=user) is not None:
        return HttpResponseRedirect(reverse("second-factor-verify"))
    device = second_factor_setup_start(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor_confirm(request=request, user=user, token=form.cleaned_data["token"]):
            return HttpResponseRedirect(safe_next(request, reverse("home")))
        form.add_error("token", _("That code is not right. Check the time on your phone and try again."))
    context = {
        "form": form,
        "otpauth_uri": device.config_url,
        "qr_svg": second_factor_qr_svg(device=device),
        "next": safe_next(request, ""),
    }
    return render(request, "web/second_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify_page(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the authenticator app."""
    user = _logged_in_user(request)
    if second_factor_confirmed_device(user=user) is None:
        return HttpResponseRedirect(reverse("second-factor-setup"))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor_verify(request=request, user=user, token=form.cleaned_data["token"]):
            return HttpResponseRedirect(safe_next(request, reverse("home")))
        form.add_error("token", _("That code is not right. Check the time on your phone and try again."))
    return render(request, "web/second_factor_verify.html", {"form": form, "next": safe_next(request, "")})


@login_required
@require_http_methods(["GET", "POST"])
def confidentiality(request: HttpRequest) -> HttpResponse:
    """The confidentiality statement: staff read and accept it before their first access."""
    user = _logged_in_user(request)
    statement = confidentiality_statement_current()
    if statement is None:
        return HttpResponseRedirect(reverse("home"))
    if request.method == "POST":
        if request.POST.get("accept") != statement.version:
            return render(request, "web/confidentiality.html", {"statement": statement, "error": True}, status=400)
        confidentiality_accept(user=user, statement=statement, source=request_source(request))
        return HttpResponseRedirect(safe_next(request, reverse("home")))
    text = statement.text_nl if (get_language() or "nl").startswith("nl") else statement.text_en
    context = {"statement": statement, "text": text, "next": safe_next(request, "")}
    return render(request, "web/confidentiality.html", context)
