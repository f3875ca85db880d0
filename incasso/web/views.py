from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from incasso.accounts.access import (
    PRIVACY_PAGE_ROLES,
    access_case,
    access_cases,
    access_has_role,
    access_is_staff,
    request_source,
)
from incasso.accounts.alerts import security_alert_acknowledge
from incasso.accounts.confidentiality import confidentiality_accept, confidentiality_statement_current
from incasso.accounts.middleware import safe_next
from incasso.accounts.models import SecurityAlert
from incasso.accounts.roles import Role
from incasso.accounts.second_factor import (
    second_factor_confirm,
    second_factor_confirmed_device,
    second_factor_qr_svg,
    second_factor_setup_start,
    second_factor_verify,
)
from incasso.accounts.selectors import security_alerts_recent
from incasso.web.selectors import home_summary

ALERTS_SHOWN = 200
CASES_SHOWN = 100


def home(request: HttpRequest) -> HttpResponse:
    """The agency's front page: the pipeline for agency staff, a welcome and the log-in for everyone else."""
    agency_name = settings.INCASSO_AGENCY_NAME
    is_staff = access_is_staff(user=request.user)
    summary = home_summary() if is_staff else None
    return render(request, "web/home.html", {"summary": summary, "agency_name": agency_name, "is_staff": is_staff})


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


@login_required
def security_alerts(request: HttpRequest) -> HttpResponse:
    """Unusual access, for the privacy officer (also administrator and auditor, who cannot acknowledge)."""
    if not access_has_role(user=request.user, roles=PRIVACY_PAGE_ROLES):
        raise PermissionDenied
    alerts = security_alerts_recent(limit=ALERTS_SHOWN)
    return render(request, "web/security_alerts.html", {"alerts": alerts})


@login_required
@require_POST
def security_alert_acknowledge_view(request: HttpRequest, alert_id: int) -> HttpResponse:
    if not access_has_role(user=request.user, roles=frozenset({Role.PRIVACY_OFFICER})):
        raise PermissionDenied
    alert = get_object_or_404(SecurityAlert, pk=alert_id)
    security_alert_acknowledge(alert=alert, by=_logged_in_user(request))
    return HttpResponseRedirect(reverse("security-alerts"))


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the user may see (``access_cases``), newest first; numbers, clients and stages, no debtor data."""
    cases = access_cases(user=request.user).select_related("client").order_by("-pk")[:CASES_SHOWN]
    return render(request, "web/case_list.html", {"cases": cases})


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """One case (``access_case``: 404 when not the user's, the read audited with the debtor as subject)."""
    case = access_case(user=request.user, case_id=case_id, request=request, fields=["display_name"])
    return render(request, "web/case_detail.html", {"case": case})
