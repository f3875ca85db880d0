"""Unusual access raises an alert for the privacy officer (P-7: "intensive monitoring ... for security breaches").

Alerts are ``SecurityAlert`` rows; the privacy officer sees and acknowledges them on ``/security/alerts/``.
Failed log-ins arrive through Django's ``user_login_failed`` signal (the only way Django reports them): each is
audited as ``login_failed``; ``FAILED_LOGIN_LIMIT`` failures for one user name within ``FAILED_LOGIN_WINDOW``
raise one ``failed_logins`` alert, and lock the name (``lockout.py``). Successful log-ins are audited as ``login``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from incasso.accounts.lockout import login_lockouts_after_failure
from incasso.accounts.models import SecurityAlert, SecurityAlertKind
from incasso.audit.models import AuditAction, AuditEvent
from incasso.audit.services import audit_record
from incasso.domain.audit_chain import JSONValue
from incasso.domain.data_map import ProcessingPurpose

FAILED_LOGIN_LIMIT = 5
FAILED_LOGIN_WINDOW = datetime.timedelta(minutes=15)
USERNAME_LENGTH = 150


@transaction.atomic
def security_alert_raise(*, kind: SecurityAlertKind, user: User | None, details: dict[str, JSONValue]) -> SecurityAlert:
    alert = SecurityAlert(kind=kind, user=user, details=details)
    alert.full_clean()
    alert.save()
    return alert


@transaction.atomic
def security_alert_acknowledge(*, alert: SecurityAlert, by: User) -> SecurityAlert:
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.details = {**alert.details, "acknowledged_by": by.get_username()}
        alert.save(update_fields=["acknowledged_at", "details"])
    return alert


def _source(request: HttpRequest | None) -> str:
    address = request.META.get("REMOTE_ADDR") if request is not None else None
    return f"ip:{address}" if address else "web"


@transaction.atomic
def login_failure_record(*, username: str, request: HttpRequest | None) -> SecurityAlert | None:
    """Audit one failed log-in; raise a ``failed_logins`` alert when the name reached the limit in the window."""
    username = username[:USERNAME_LENGTH]
    known = User.objects.filter(username=username).first()
    source = _source(request)
    audit_record(
        actor=known or "anonymous",
        action=AuditAction.LOGIN_FAILED,
        subject=known,
        fields=["username"],
        purpose=ProcessingPurpose.SECURITY,
        source=source,
        details={"username": username, "username_key": username.strip().lower()},
    )
    login_lockouts_after_failure(username=username, source=source)
    since = timezone.now() - FAILED_LOGIN_WINDOW
    failures = AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, occurred_at__gte=since, details__username=username
    ).count()
    if failures < FAILED_LOGIN_LIMIT:
        return None
    already = SecurityAlert.objects.filter(
        kind=SecurityAlertKind.FAILED_LOGINS, created_at__gte=since, details__username=username
    ).exists()
    if already:
        return None
    return security_alert_raise(
        kind=SecurityAlertKind.FAILED_LOGINS,
        user=known,
        details={"username": username, "failures": failures, "window_minutes": 15, "source": source},
    )


def on_user_login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: object
) -> None:
    username = credentials.get("username")
    login_failure_record(username=str(username) if username else "", request=request)


def on_user_logged_in(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    with transaction.atomic():
        audit_record(
            actor=user,
            action=AuditAction.LOGIN,
            subject=user,
            fields=["username"],
            purpose=ProcessingPurpose.SECURITY,
            source=_source(request),
        )
