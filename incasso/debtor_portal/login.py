"""The debtor-portal log-in: case number + the code from a letter + date of birth or postcode (C-11).

Guessing is limited three ways, and every refusal looks the same to the person trying (one message, no hint
whether the case exists, the code was wrong or the case is locked):

- per IP address: at most ``IP_MAX_FAILURES`` failed attempts in ``IP_WINDOW``;
- per case number: at most ``CASE_MAX_ATTEMPTS`` attempts of any kind in ``CASE_WINDOW``;
- lock: ``LOCK_AFTER_FAILURES`` failures on a case number since its last successful log-in (within
  ``LOCK_LOOKBACK``) lock it for ``LOCK_DURATION``; while locked even the right details are refused.

Unknown case numbers are counted and locked exactly like known ones. Every attempt is audited. An administrator
or the case's collector can end a lock early once they know the debtor (``portal_login_unlock``); failures before
the unlock no longer count towards a new lock, but the per-address and per-case rate limits still apply.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from incasso.accounts.access import DEBTOR_PORTAL_ACTOR
from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.cases.models import Case
from incasso.communications.services import portal_code_verify
from incasso.debtor_portal.models import CASE_NUMBER_LENGTH, LoginAttempt, LoginLock, LoginOutcome
from incasso.domain.data_map import ProcessingPurpose
from incasso.intake.fields import dutch_postcode
from incasso.parties.models import Debtor

IP_MAX_FAILURES = 20
IP_WINDOW = datetime.timedelta(minutes=15)
CASE_MAX_ATTEMPTS = 10
CASE_WINDOW = datetime.timedelta(minutes=15)
LOCK_AFTER_FAILURES = 5
LOCK_LOOKBACK = datetime.timedelta(hours=24)
LOCK_DURATION = datetime.timedelta(hours=24)

_DAY_FIRST = re.compile(r"^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


@dataclass(frozen=True, slots=True)
class PortalIdentity:
    """Who a portal session belongs to: one debtor, who logged in with one of their cases."""

    debtor_id: int
    case_id: int


def _date(text: str) -> datetime.date | None:
    """A date of birth as people type it: 17-05-1980, 17/5/1980, 17.05.1980 or 1980-05-17."""
    if match := _DAY_FIRST.match(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def second_factor_matches(debtor: Debtor, text: str) -> bool:
    """Whether ``text`` is the debtor's date of birth or postcode (a Dutch postcode in any spacing or case)."""
    text = text.strip()
    if not text:
        return False
    born = _date(text)
    if born is not None:
        return debtor.date_of_birth is not None and debtor.date_of_birth == born
    known = "".join(str(debtor.postcode or "").split()).upper()
    if not known:
        return False
    typed = dutch_postcode(text) if debtor.country == "NL" else None
    return "".join((typed or text).split()).upper() == known


def _refusal_reason(*, number: str, ip: str | None, now: datetime.datetime) -> LoginOutcome | None:
    if LoginLock.objects.filter(case_number=number, locked_until__gt=now).exists():
        return LoginOutcome.LOCKED
    if ip and (
        LoginAttempt.objects.filter(ip_address=ip, attempted_at__gte=now - IP_WINDOW)
        .exclude(outcome=LoginOutcome.SUCCEEDED)
        .count()
        >= IP_MAX_FAILURES
    ):
        return LoginOutcome.RATE_LIMITED
    if (
        LoginAttempt.objects.filter(case_number=number, attempted_at__gte=now - CASE_WINDOW).count()
        >= CASE_MAX_ATTEMPTS
    ):
        return LoginOutcome.RATE_LIMITED
    return None


def _lock_if_due(*, number: str, now: datetime.datetime, source: str) -> None:
    since = now - LOCK_LOOKBACK
    last_success = (
        LoginAttempt.objects.filter(case_number=number, outcome=LoginOutcome.SUCCEEDED, attempted_at__gte=since)
        .order_by("-attempted_at")
        .values_list("attempted_at", flat=True)
        .first()
    )
    last_lock = (
        LoginLock.objects.filter(case_number=number, locked_at__gte=since)
        .order_by("-locked_at")
        .values_list("locked_at", flat=True)
        .first()
    )
    since = max([moment for moment in (since, last_success, last_lock) if moment is not None])
    failures = LoginAttempt.objects.filter(
        case_number=number, outcome=LoginOutcome.WRONG_DETAILS, attempted_at__gte=since
    ).count()
    if failures < LOCK_AFTER_FAILURES:
        return
    LoginLock.objects.create(case_number=number, locked_at=now, locked_until=now + LOCK_DURATION, failures=failures)
    audit_record(
        actor=DEBTOR_PORTAL_ACTOR,
        action=AuditAction.UPDATE,
        subject=None,
        fields=("debtor_portal.LoginLock.locked_until",),
        purpose=ProcessingPurpose.SECURITY,
        source=source,
        details={
            "case_number": number,
            "failures": failures,
            "locked_hours": int(LOCK_DURATION.total_seconds() // 3600),
        },
    )


@transaction.atomic
def portal_login(*, case_number: str, code: str, second_factor: str, ip: str | None) -> PortalIdentity | None:
    """The identity to bind the session to, or None for any failure (wrong details, locked, too many tries)."""
    now = timezone.now()
    number = case_number.strip()[:CASE_NUMBER_LENGTH]
    source = f"ip:{ip}" if ip else "web"
    outcome = _refusal_reason(number=number, ip=ip, now=now)
    case = None
    if outcome is None:
        case = portal_code_verify(case_number=number, code=code)
        matched = case is not None and second_factor_matches(case.debtor, second_factor)
        outcome = LoginOutcome.SUCCEEDED if matched else LoginOutcome.WRONG_DETAILS
    LoginAttempt.objects.create(attempted_at=now, ip_address=ip, case_number=number, outcome=outcome)
    succeeded = outcome == LoginOutcome.SUCCEEDED and case is not None
    audit_record(
        actor=DEBTOR_PORTAL_ACTOR,
        action=AuditAction.LOGIN if succeeded else AuditAction.LOGIN_FAILED,
        subject=case.debtor if succeeded and case is not None else None,
        fields=("debtor_portal.LoginAttempt.outcome",),
        purpose=ProcessingPurpose.SECURITY,
        source=source,
        details={"case_number": number, "outcome": outcome.value},
    )
    if outcome == LoginOutcome.WRONG_DETAILS:
        _lock_if_due(number=number, now=now, source=source)
    if not succeeded or case is None:
        return None
    return PortalIdentity(debtor_id=case.debtor_id, case_id=case.pk)


def portal_login_lock_active(*, case_number: str, now: datetime.datetime | None = None) -> LoginLock | None:
    """The lock in force on this case number, if any (the one that ends last)."""
    now = now or timezone.now()
    locks = LoginLock.objects.filter(case_number=case_number, locked_until__gt=now)
    return locks.order_by("-locked_until").first()


@transaction.atomic
def portal_login_unlock(*, case: Case, by: User, source: str) -> int:
    """End the portal locks on ``case``'s number now, for a debtor whom staff have identified (audited).

    A lock is ended, not deleted, so the log-in history stays complete: its ``locked_until`` becomes now, and the
    audit row keeps when it would have ended and who ended it. Returns the number of locks ended (0: none was on).
    """
    now = timezone.now()
    locks = list(LoginLock.objects.select_for_update().filter(case_number=case.number, locked_until__gt=now))
    if not locks:
        return 0
    LoginLock.objects.filter(pk__in=[lock.pk for lock in locks]).update(locked_until=now)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        subject=case.debtor,
        fields=("debtor_portal.LoginLock.locked_until",),
        purpose=ProcessingPurpose.SECURITY,
        source=source,
        details={
            "case_number": case.number,
            "unlocked": len(locks),
            "was_locked_until": max(lock.locked_until for lock in locks).isoformat(),
        },
    )
    return len(locks)
