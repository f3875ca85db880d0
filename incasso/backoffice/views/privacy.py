"""Privacy pages of the back office: the breach register and legal holds (the register of processing lives in
``incasso/privacy``; the navigation links to it)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from incasso.accounts.access import access_cases, access_clients, access_has_role, access_refused
from incasso.accounts.roles import Role
from incasso.backoffice.permissions import LEGAL_HOLD_ROLES, PRIVACY_ROLES, staff_page, staff_user
from incasso.disclosures.breaches import breach_clock
from incasso.disclosures.models import Breach
from incasso.privacy.models import LegalHold
from incasso.privacy.retention.holds import legal_hold_place, legal_hold_release, legal_holds_visible


class LegalHoldForm(forms.Form):
    """A hold on a case (its data) or on a client (its relationship data: the contact persons), not both."""

    case_number = forms.CharField(label=_("Case number"), max_length=20, required=False)
    client_code = forms.CharField(label=_("or client code"), max_length=40, required=False)
    reason = forms.CharField(label=_("Why"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    until = forms.DateField(
        label=_("Until (empty: until released)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_until(self) -> date | None:
        """A hold that ends before today would keep nothing: refused rather than placed."""
        until: date | None = self.cleaned_data.get("until")
        if until is not None and until < timezone.localdate():
            raise forms.ValidationError(_("A legal hold cannot end before today."), code="past")
        return until

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        named = [name for name in ("case_number", "client_code") if str(cleaned.get(name) or "").strip()]
        if len(named) != 1:
            raise forms.ValidationError(_("Give a case number or a client code, not both."), code="subject")
        return cleaned


BREACHES_SHOWN = 200
HOLDS_SHOWN = 200
HOLD_WRITERS = frozenset({Role.PRIVACY_OFFICER, Role.LEGAL_OFFICER})


@staff_page(PRIVACY_ROLES)
def breaches(request: HttpRequest) -> HttpResponse:
    """Every breach, newest first, with the 72-hour clock of the open ones (GDPR art. 33)."""
    now = timezone.now()
    rows = [
        {"breach": breach, "clock": breach_clock(breach, now)}
        for breach in Breach.objects.order_by("-became_aware_at", "-pk")[:BREACHES_SHOWN]
    ]
    return render(request, "backoffice/breaches.html", {"rows": rows})


@staff_page(LEGAL_HOLD_ROLES)
@require_http_methods(["GET", "POST"])
def legal_holds(request: HttpRequest) -> HttpResponse:
    """Legal holds in force on what the user may see (``legal_holds_visible``: cases, and debtors and clients of the
    clients they may see); placing one is for those cases and clients only."""
    user = staff_user(request)
    visible = access_cases(user=user)
    clients = access_clients(user=user)
    in_force = legal_holds_visible(user=user).filter(released_at__isnull=True).order_by("-placed_at")
    holds = in_force.filter(case__isnull=False).select_related("case", "placed_by")[:HOLDS_SHOWN]
    debtor_holds = in_force.filter(debtor__isnull=False).select_related("placed_by")[:HOLDS_SHOWN]
    client_holds = in_force.filter(client__isnull=False).select_related("client", "placed_by")[:HOLDS_SHOWN]
    may_release = access_has_role(user=user, roles=HOLD_WRITERS)
    form = LegalHoldForm(request.POST or None)
    if request.method == "POST":
        if not may_release:
            raise PermissionDenied
        if form.is_valid():
            number, code = form.cleaned_data["case_number"].strip(), form.cleaned_data["client_code"].strip()
            case = visible.filter(number=number).first() if number else None
            client = clients.filter(code=code).first() if code else None
            if number and case is None:
                form.add_error("case_number", _("No such case."))
            elif code and client is None:
                form.add_error("client_code", _("No such client."))
            else:
                legal_hold_place(
                    placed_by=user,
                    reason=form.cleaned_data["reason"],
                    case=case,
                    client=client,
                    until=form.cleaned_data["until"],
                )
                messages.success(request, _("The legal hold was placed."))
                return HttpResponseRedirect(reverse("backoffice:legal-holds"))
    context = {
        "holds": holds,
        "debtor_holds": debtor_holds,
        "client_holds": client_holds,
        "may_release": may_release,
        "form": form,
    }
    return render(request, "backoffice/legal_holds.html", context, status=400 if form.errors else 200)


@staff_page(LEGAL_HOLD_ROLES)
@require_POST
def legal_hold_release_view(request: HttpRequest, hold_id: int) -> HttpResponse:
    """Release a hold in force on what the user may see (the listing's rule); another's answers 404 and raises the
    alert for access outside the user's cases."""
    user = staff_user(request)
    if not access_has_role(user=user, roles=HOLD_WRITERS):
        raise PermissionDenied
    hold = legal_holds_visible(user=user).filter(pk=hold_id, released_at__isnull=True).first()
    if hold is None:
        outside = LegalHold.objects.filter(pk=hold_id, released_at__isnull=True).exists()
        raise access_refused(caller=user, exists=outside, what="legal hold", reference=hold_id, request=request)
    legal_hold_release(hold=hold, released_by=user)
    messages.success(request, _("The legal hold was released."))
    return HttpResponseRedirect(reverse("backoffice:legal-holds"))
