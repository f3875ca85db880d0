"""The one place that decides who may see which cases and clients (P-7, need-to-know).

Every portal, page and API endpoint that shows a case gets it through ``access_cases`` / ``access_case`` /
``access_clients``; nothing else filters cases by user. The rules:

- superuser, administrator, privacy officer, legal officer, finance, auditor: every case. The auditor is
  read-only; the views that write refuse the auditor role (``access_may_write``), this module only reads.
- collector: the cases of the clients of their teams (``Team``).
- client user: the cases of the clients they act for (``ClientMembership``).
- anybody else, anonymous users and inactive users: nothing.

``access_case`` answers 404 for a case the user may not see, exactly as for a case that does not exist, so the
answer never reveals that a case exists. Asking for a visible case records an audit ``read`` of its debtor;
asking for an existing case outside the user's cases raises an ``outside_cases`` alert for the privacy officer,
and reading more than ``INCASSO_MASS_READ_THRESHOLD`` distinct cases in an hour a ``mass_read`` alert, as does
downloading more than ``INCASSO_MASS_EXPORT_THRESHOLD`` exports (audit log, payout statements) in an hour
(``access_exports_check``). The ``outside_cases`` alert is raised for any other object that exists but is not the
caller's too (another client's payout or API key, another team's task, another debtor's case in the portal, a case
asked for with an API key): ``access_refused`` is the 404 every such refusal answers.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from incasso.accounts.alerts import security_alert_raise
from incasso.accounts.models import SecurityAlert, SecurityAlertKind
from incasso.accounts.roles import STAFF_ROLES, Role
from incasso.audit.models import AuditAction, AuditEvent
from incasso.audit.services import audit_record
from incasso.cases.models import Case
from incasso.domain.audit_chain import JSONValue
from incasso.domain.data_map import ProcessingPurpose
from incasso.parties.models import Client

AnyUser = User | AnonymousUser

# Roles that see every case. The auditor reads only: writing views check ``access_may_write``.
ALL_CASES_ROLES: frozenset[Role] = frozenset(
    {Role.ADMINISTRATOR, Role.PRIVACY_OFFICER, Role.LEGAL_OFFICER, Role.FINANCE, Role.AUDITOR}
)
# Roles that may open the register of processing and the security alerts.
PRIVACY_PAGE_ROLES: frozenset[Role] = frozenset({Role.PRIVACY_OFFICER, Role.ADMINISTRATOR, Role.AUDITOR})
# The fields of a case page that show personal data of the debtor.
CASE_READ_FIELDS: tuple[str, ...] = ("debtor",)
DEFAULT_MASS_READ_THRESHOLD = 100
DEFAULT_MASS_EXPORT_THRESHOLD = 20
MASS_READ_WINDOW = datetime.timedelta(hours=1)

_ROLES_CACHE = "_incasso_access_roles"
_STAFF_ROLE_SET: frozenset[Role] = frozenset(STAFF_ROLES)


def access_roles(*, user: AnyUser) -> frozenset[Role]:
    """The user's roles, read once per request (cached on the user object); empty for anonymous/inactive users."""
    if not isinstance(user, User) or not user.is_active:
        return frozenset()
    cached: frozenset[Role] | None = getattr(user, _ROLES_CACHE, None)
    if cached is None:
        names = user.groups.filter(name__in=Role.values).values_list("name", flat=True)
        cached = frozenset(Role(name) for name in names)
        setattr(user, _ROLES_CACHE, cached)
    return cached


def access_is_staff(*, user: AnyUser) -> bool:
    """Agency staff: a superuser or anyone with a staff role. Client users and debtors are not."""
    return access_has_role(user=user, roles=_STAFF_ROLE_SET)


def access_has_role(*, user: AnyUser, roles: frozenset[Role]) -> bool:
    """An active superuser, or an active user with one of ``roles``."""
    if not isinstance(user, User) or not user.is_active:
        return False
    return user.is_superuser or bool(access_roles(user=user) & roles)


def access_may_write(*, user: AnyUser) -> bool:
    """Staff who may change cases: every staff role but the auditor (who reads only)."""
    return access_is_staff(user=user) and not (
        isinstance(user, User) and not user.is_superuser and access_roles(user=user) == {Role.AUDITOR}
    )


def _client_filter(*, user: AnyUser) -> Q | None:
    """``None``: every client; otherwise the condition on ``Client`` the user may see (``Q(pk__in=[])`` for none)."""
    if not isinstance(user, User) or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    roles = access_roles(user=user)
    if roles & ALL_CASES_ROLES:
        return None
    condition = Q(pk__in=[])
    if Role.COLLECTOR in roles:
        condition |= Q(teams__members=user)
    if Role.CLIENT_USER in roles:
        condition |= Q(memberships__user=user)
    return condition


def access_clients(*, user: AnyUser) -> QuerySet[Client]:
    """The clients whose cases the user may see."""
    condition = _client_filter(user=user)
    if condition is None:
        return Client.objects.all()
    return Client.objects.filter(pk__in=Client.objects.filter(condition).values("pk"))


def access_cases(*, user: AnyUser) -> QuerySet[Case]:
    """The cases the user may see (a lazy queryset: filter, order and page it as needed)."""
    condition = _client_filter(user=user)
    if condition is None:
        return Case.objects.all()
    return Case.objects.filter(client__in=Client.objects.filter(condition).values("pk"))


def request_source(request: HttpRequest | None) -> str:
    """Where a request came from, for the audit log: ``ip:<address>``, or ``web`` when unknown."""
    if request is None:
        return "web"
    address = request.META.get("REMOTE_ADDR")
    return f"ip:{address}" if address else "web"


def access_case(
    *, user: AnyUser, case_id: int, request: HttpRequest | None = None, fields: Sequence[str] = CASE_READ_FIELDS
) -> Case:
    """The case, when the user may see it; ``Http404`` otherwise (also when it does not exist).

    Records the read in the audit log (subject: the debtor) in the same transaction, and raises the alerts for
    the privacy officer described in the module docstring.
    """
    source = request_source(request)
    case = access_cases(user=user).select_related("debtor", "client").filter(pk=case_id).first()
    if case is None:
        exists = isinstance(user, User) and Case.objects.filter(pk=case_id).exists()
        raise access_refused(caller=user, exists=exists, what="case", reference=case_id, request=request)
    with transaction.atomic():
        audit_record(
            actor=user if isinstance(user, User) else "anonymous",
            action=AuditAction.READ,
            subject=case.debtor,
            fields=list(fields),
            purpose=ProcessingPurpose.DEBT_COLLECTION,
            source=source,
            details={"case": case.number, "case_id": case.pk},
        )
        if isinstance(user, User):
            _mass_read_check(user=user, source=source)
    return case


def access_case_to_change(
    *, user: AnyUser, case_id: int, request: HttpRequest | None = None, fields: Sequence[str] = CASE_READ_FIELDS
) -> Case:
    """``access_case`` for an action that changes the case: also ``Http404`` for staff who only read (the auditor),
    refused before the case is read, so a refused change is not recorded as a read of the debtor."""
    if not access_may_write(user=user):
        raise Http404("No such case.")
    return access_case(user=user, case_id=case_id, request=request, fields=fields)


def access_refused(
    *, caller: AnyUser | str, exists: bool, what: str, reference: int | str, request: HttpRequest | None
) -> Http404:
    """The 404 for an object outside the caller's reach, worded as for one that does not exist.

    When it does exist (``exists``), the attempt is access outside the caller's cases (P-7): an ``outside_cases``
    alert for the privacy officer, naming the caller (a user, or an API key's or portal session's label), what was
    asked for and where from. The alert commits on its own: the 404 that follows must not roll it back.
    """
    if exists:
        user = caller if isinstance(caller, User) else None
        label = caller if isinstance(caller, str) else (caller.get_username() if user is not None else "anonymous")
        details: dict[str, JSONValue] = {"what": what, "source": request_source(request), "caller": label}
        details["case_id" if what == "case" else "id"] = reference
        security_alert_raise(kind=SecurityAlertKind.OUTSIDE_CASES, user=user, details=details)
    return Http404(f"No such {what}.")


def access_case_object_refused(
    *,
    user: AnyUser,
    objects: QuerySet[Any],
    what: str,
    reference: int | str,
    request: HttpRequest | None,
    case_path: str = "case",
) -> Http404:
    """``access_refused`` for an object reached through its case (a task, complaint, letter, decision): ``objects``
    is what was asked for, and it is access outside the user's cases when it lies on a case they may not see."""
    outside = objects.filter(**{f"{case_path}__isnull": False}).exclude(**{f"{case_path}__in": access_cases(user=user)})
    return access_refused(caller=user, exists=outside.exists(), what=what, reference=reference, request=request)


def access_client_object_refused(
    *,
    user: AnyUser,
    objects: QuerySet[Any],
    what: str,
    reference: int | str,
    request: HttpRequest | None,
    client_path: str = "client",
) -> Http404:
    """``access_refused`` for an object of a client (a payout, import, API key, webhook): outside the user's cases
    when it belongs to a client they may not see."""
    outside = objects.exclude(**{f"{client_path}__in": access_clients(user=user)})
    return access_refused(caller=user, exists=outside.exists(), what=what, reference=reference, request=request)


def mass_read_threshold() -> int:
    return int(getattr(settings, "INCASSO_MASS_READ_THRESHOLD", DEFAULT_MASS_READ_THRESHOLD))


def access_exports_check(*, user: AnyUser, request: HttpRequest | None) -> None:
    """After an export the user downloaded (audited as ``export``): a ``mass_read`` alert naming the exports when
    they downloaded more than ``INCASSO_MASS_EXPORT_THRESHOLD`` in the past hour (P-7: "mass reads or exports").

    One alert per hour and user, as for reads."""
    if not isinstance(user, User):
        return
    since = timezone.now() - MASS_READ_WINDOW
    exports = AuditEvent.objects.filter(actor=user, action=AuditAction.EXPORT, occurred_at__gte=since).count()
    threshold = int(getattr(settings, "INCASSO_MASS_EXPORT_THRESHOLD", DEFAULT_MASS_EXPORT_THRESHOLD))
    if exports <= threshold:
        return
    already = SecurityAlert.objects.filter(
        kind=SecurityAlertKind.MASS_READ, user=user, created_at__gte=since, details__has_key="exports"
    )
    if already.exists():
        return
    security_alert_raise(
        kind=SecurityAlertKind.MASS_READ,
        user=user,
        details={"exports": exports, "threshold": threshold, "window_minutes": 60, "source": request_source(request)},
    )


def _mass_read_check(*, user: User, source: str) -> None:
    """A ``mass_read`` alert when the user read more than the threshold of distinct cases in the past hour.

    One alert per hour and user: an open alert from the window suppresses the next.
    """
    since = timezone.now() - MASS_READ_WINDOW
    distinct_cases = (
        AuditEvent.objects.filter(
            actor=user, action=AuditAction.READ, occurred_at__gte=since, details__has_key="case_id"
        )
        .values("details__case_id")
        .distinct()
        .count()
    )
    threshold = mass_read_threshold()
    if distinct_cases <= threshold:
        return
    alerted = SecurityAlert.objects.filter(kind=SecurityAlertKind.MASS_READ, user=user, created_at__gte=since)
    if alerted.filter(details__has_key="distinct_cases").exists():  # an export alert does not stand for this one
        return
    security_alert_raise(
        kind=SecurityAlertKind.MASS_READ,
        user=user,
        details={"distinct_cases": distinct_cases, "threshold": threshold, "window_minutes": 60, "source": source},
    )


# ---- The debtor portal (C-11) --------------------------------------------------------------------------------------
# A debtor has no user account: the portal log-in (case number, the code from a letter and a second factor, see
# incasso.debtor_portal) binds the session to one debtor, and these two selectors are how the portal reads cases.
# A debtor sees the cases of that debtor only; a debtor of the same person at another client is another debtor.

DEBTOR_PORTAL_ACTOR = "debtor-portal"


def access_debtor_cases(*, debtor_id: int | None) -> QuerySet[Case]:
    """The cases of the debtor a portal session is bound to; none without one."""
    if debtor_id is None:
        return Case.objects.none()
    return Case.objects.filter(debtor_id=debtor_id)


def access_debtor_case(
    *, debtor_id: int | None, case_id: int, request: HttpRequest | None = None, fields: Sequence[str] = CASE_READ_FIELDS
) -> Case:
    """One case of the portal's debtor (``Http404`` for any other, existing or not, and an alert for another
    debtor's); the read is audited."""
    return _case_read_audited(
        access_debtor_cases(debtor_id=debtor_id).filter(pk=case_id),
        Case.objects.filter(pk=case_id),
        actor=f"{DEBTOR_PORTAL_ACTOR}:{debtor_id}",
        reference=case_id,
        request=request,
        fields=fields,
    )


def access_debtor_object_refused(
    *, debtor_id: int | None, objects: QuerySet[Any], what: str, reference: int | str, request: HttpRequest | None
) -> Http404:
    """``access_refused`` for an object of a case (a letter, decision, payment link) the portal's debtor asked for
    under their own case: outside their cases when it lies on another debtor's case."""
    outside = objects.exclude(case__debtor_id=debtor_id)
    caller = f"{DEBTOR_PORTAL_ACTOR}:{debtor_id}"
    return access_refused(caller=caller, exists=outside.exists(), what=what, reference=reference, request=request)


def access_debtor_case_by_number(
    *, debtor_id: int | None, number: str, request: HttpRequest | None = None, fields: Sequence[str] = CASE_READ_FIELDS
) -> Case:
    """``access_debtor_case`` for a case number (the API names cases by number): the same 404, audit and alert."""
    return _case_read_audited(
        access_debtor_cases(debtor_id=debtor_id).filter(number=number),
        Case.objects.filter(number=number),
        actor=f"{DEBTOR_PORTAL_ACTOR}:{debtor_id}",
        reference=number,
        request=request,
        fields=fields,
    )


def access_case_by_number(
    *, user: AnyUser, number: str, request: HttpRequest | None = None, fields: Sequence[str] = CASE_READ_FIELDS
) -> Case:
    """``access_case`` for a case number (as the API and clients name cases): the same 404, audit and alerts."""
    case_id = Case.objects.filter(number=number).values_list("pk", flat=True).first()
    if case_id is None:
        raise Http404("No such case.")
    return access_case(user=user, case_id=case_id, request=request, fields=fields)


def access_client_cases(*, client: Client) -> QuerySet[Case]:
    """The cases a client's API key may see: that client's own, nothing else (C-12)."""
    return Case.objects.filter(client=client)


def access_client_case(
    *, client: Client, number: str, request: HttpRequest | None = None, fields: Sequence[str] = CASE_READ_FIELDS
) -> Case:
    """One case of ``client`` for its API key, by number; ``Http404`` for any other (an alert for another client's);
    the read is audited."""
    return _case_read_audited(
        access_client_cases(client=client).filter(number=number),
        Case.objects.filter(number=number),
        actor=f"api-key:{client.code}",
        reference=number,
        request=request,
        fields=fields,
    )


def _case_read_audited(
    cases: QuerySet[Case],
    asked: QuerySet[Case],
    *,
    actor: str,
    reference: int | str,
    request: HttpRequest | None,
    fields: Sequence[str],
) -> Case:
    """The case in ``cases`` (a portal session's or an API key's, narrowed to the one asked for), its read audited;
    ``Http404`` when there is none, with an alert when the one ``asked`` for exists (another debtor's or client's).
    Staff and client users go through ``access_case`` instead."""
    case = cases.select_related("debtor", "client").first()
    if case is None:
        raise access_refused(caller=actor, exists=asked.exists(), what="case", reference=reference, request=request)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            subject=case.debtor,
            fields=list(fields),
            purpose=ProcessingPurpose.DEBT_COLLECTION,
            source=request_source(request),
            details={"case": case.number, "case_id": case.pk},
        )
    return case
