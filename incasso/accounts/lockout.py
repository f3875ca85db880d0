"""Lock-out after repeated failed log-ins (P-7).

``INCASSO_LOCKOUT_FAILURES`` failed log-ins for one user name within ``INCASSO_LOCKOUT_WINDOW_SECONDS`` lock that
name for ``INCASSO_LOCKOUT_SECONDS``; four times as many from one network address lock the address (a throttle
against guessing many names). The failures are the ``login_failed`` audit events ``alerts.login_failure_record``
writes; counting starts afresh after a lock-out ends. While locked, the log-in form refuses every attempt, right or
wrong, with the same message for existing and unknown names. An administrator can lift a lock-out early.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from incasso.accounts.models import LockoutScope, LoginLockout
from incasso.audit.models import AuditAction, AuditEvent
from incasso.audit.services import audit_record
from incasso.domain.data_map import ProcessingPurpose

ADDRESS_FACTOR = 4


def _failure_limit(scope: LockoutScope) -> int:
    limit = int(settings.INCASSO_LOCKOUT_FAILURES)
    return limit * ADDRESS_FACTOR if scope is LockoutScope.ADDRESS else limit


def _window() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(settings.INCASSO_LOCKOUT_WINDOW_SECONDS))


def _duration() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(settings.INCASSO_LOCKOUT_SECONDS))


def _keys(*, username: str, source: str) -> list[tuple[LockoutScope, str]]:
    keys = [(LockoutScope.USERNAME, username.strip().lower())]
    if source.startswith("ip:"):
        keys.append((LockoutScope.ADDRESS, source))
    return keys


def lockouts_active(*, now: datetime.datetime | None = None) -> QuerySet[LoginLockout]:
    now = now or timezone.now()
    return LoginLockout.objects.filter(locked_until__gt=now, lifted_at__isnull=True)


def login_lockout_find(*, username: str, source: str, now: datetime.datetime | None = None) -> LoginLockout | None:
    """The lock-out in force for this user name or this address, if any."""
    condition = Q(pk__in=[])
    for scope, value in _keys(username=username, source=source):
        condition |= Q(scope=scope, value=value)
    return lockouts_active(now=now).filter(condition).order_by("-locked_until").first()


def _failures_since(scope: LockoutScope, value: str, since: datetime.datetime) -> int:
    failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, occurred_at__gte=since)
    if scope is LockoutScope.USERNAME:
        return failures.filter(details__username_key=value).count()
    return failures.filter(source=value).count()


def login_lockouts_after_failure(*, username: str, source: str) -> list[LoginLockout]:
    """Lock the name and/or the address that just reached their limit. Call inside the failure's transaction."""
    now = timezone.now()
    created: list[LoginLockout] = []
    for scope, value in _keys(username=username, source=source):
        previous = LoginLockout.objects.filter(scope=scope, value=value).order_by("-locked_at").first()
        since = now - _window()
        if previous is not None:
            if previous.lifted_at is None and previous.locked_until > now:
                continue  # already locked
            since = max(since, previous.ends_at)
        failures = _failures_since(scope, value, since)
        if failures < _failure_limit(scope):
            continue
        lockout = LoginLockout.objects.create(
            scope=scope, value=value, failures=failures, locked_at=now, locked_until=now + _duration()
        )
        audit_record(
            actor="login lock-out",
            action=AuditAction.UPDATE,
            subject=User.objects.filter(username__iexact=value).first() if scope is LockoutScope.USERNAME else None,
            fields=["login_lockout"],
            purpose=ProcessingPurpose.SECURITY,
            source=source,
            details={"lockout": "locked", "scope": scope.value, "value": value, "failures": failures},
        )
        created.append(lockout)
    return created


@transaction.atomic
def login_lockout_lift(*, lockout: LoginLockout, by: User, source: str) -> LoginLockout:
    """An administrator ends a lock-out early (audited)."""
    locked = LoginLockout.objects.select_for_update().get(pk=lockout.pk)
    if locked.lifted_at is None:
        locked.lifted_at = timezone.now()
        locked.lifted_by = by
        locked.save(update_fields=["lifted_at", "lifted_by"])
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            subject=User.objects.filter(username__iexact=locked.value).first()
            if locked.scope == LockoutScope.USERNAME
            else None,
            fields=["login_lockout"],
            purpose=ProcessingPurpose.SECURITY,
            source=source,
            details={"lockout": "lifted", "scope": locked.scope, "value": locked.value},
        )
    return locked
