"""Security pages: alerts about unusual access, and log-in lock-outs an administrator can lift."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from incasso.accounts.access import access_has_role, request_source
from incasso.accounts.alerts import security_alert_acknowledge
from incasso.accounts.lockout import lockouts_active, login_lockout_lift
from incasso.accounts.models import LoginLockout, SecurityAlert
from incasso.accounts.roles import Role
from incasso.accounts.selectors import security_alerts_recent
from incasso.backoffice.permissions import ADMIN_ROLES, PRIVACY_ROLES, staff_page, staff_user

ALERTS_SHOWN = 200


@staff_page(PRIVACY_ROLES)
def security_alerts(request: HttpRequest) -> HttpResponse:
    """Unusual access, for the privacy officer (also administrator and auditor, who cannot acknowledge)."""
    alerts = security_alerts_recent(limit=ALERTS_SHOWN)
    may_acknowledge = access_has_role(user=request.user, roles=frozenset({Role.PRIVACY_OFFICER}))
    return render(request, "backoffice/security_alerts.html", {"alerts": alerts, "may_acknowledge": may_acknowledge})


@staff_page(PRIVACY_ROLES)
@require_POST
def security_alert_acknowledge_view(request: HttpRequest, alert_id: int) -> HttpResponse:
    if not access_has_role(user=request.user, roles=frozenset({Role.PRIVACY_OFFICER})):
        raise PermissionDenied
    alert = get_object_or_404(SecurityAlert, pk=alert_id)
    security_alert_acknowledge(alert=alert, by=staff_user(request))
    return HttpResponseRedirect(reverse("backoffice:security-alerts"))


@staff_page(ADMIN_ROLES)
def lockouts(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/lockouts.html", {"lockouts": lockouts_active().select_related("lifted_by")})


@staff_page(ADMIN_ROLES)
@require_POST
def lockout_lift(request: HttpRequest, lockout_id: int) -> HttpResponse:
    lockout = get_object_or_404(LoginLockout, pk=lockout_id)
    login_lockout_lift(lockout=lockout, by=staff_user(request), source=request_source(request))
    messages.success(request, _("The lock-out was lifted."))
    return HttpResponseRedirect(reverse("backoffice:lockouts"))
