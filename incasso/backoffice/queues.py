"""The staff work queues (issue 7): each queue is a selector over the cases the user may see (``access_cases``).

A collector sees only their team's cases in every queue; unmatched payments belong to no case yet and are shown
to finance (and administrators) only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from incasso.accounts.access import access_cases, access_has_role
from incasso.accounts.roles import Role
from incasso.arrangements.models import PromiseStatus, PromiseToPay
from incasso.cases.models import Case, StaffTask, TaskKind, TaskStatus
from incasso.decisions.models import Decision
from incasso.domain.case_stages import Stage
from incasso.payments.models import StatementEntry
from incasso.payments.selectors import unmatched_entries

AnyUser = User | AnonymousUser
FINANCE_ROLES = frozenset({Role.FINANCE, Role.ADMINISTRATOR})
OPEN_STAGES = tuple(stage.value for stage in Stage if stage.is_open)


class QueueKey(StrEnum):
    DUE_TODAY = "due-today"
    PROMISES = "promises"
    DISPUTES = "disputes"
    UNMATCHED = "unmatched"
    APPROVALS = "approvals"
    REVIEWS = "reviews"
    TASKS = "tasks"


QUEUE_LABELS: dict[QueueKey, Promise] = {
    QueueKey.DUE_TODAY: _("Cases due today"),
    QueueKey.PROMISES: _("Promises due"),
    QueueKey.DISPUTES: _("Disputes"),
    QueueKey.UNMATCHED: _("Unmatched payments"),
    QueueKey.APPROVALS: _("Awaiting client approval"),
    QueueKey.REVIEWS: _("Human reviews"),
    QueueKey.TASKS: _("Open tasks"),
}


@dataclass(frozen=True)
class QueueCount:
    key: QueueKey
    label: Promise
    count: int


def _visible_cases(user: AnyUser) -> QuerySet[Case]:
    return access_cases(user=user)


def cases_due(*, user: AnyUser, today: datetime.date) -> QuerySet[Case]:
    """Open cases whose next measure is due on or before today."""
    return (
        _visible_cases(user)
        .filter(stage__in=OPEN_STAGES, next_measure_on__lte=today)
        .select_related("client")
        .order_by("next_measure_on", "pk")
    )


def promises_due(*, user: AnyUser, today: datetime.date) -> QuerySet[PromiseToPay]:
    return (
        PromiseToPay.objects.filter(case__in=_visible_cases(user), status=PromiseStatus.OPEN, due_on__lte=today)
        .select_related("case")
        .order_by("due_on", "pk")
    )


def tasks_open(*, user: AnyUser, kinds: tuple[TaskKind, ...] | None = None) -> QuerySet[StaffTask]:
    """Open tasks on the user's cases (tasks without a case: administrators and the legal role only)."""
    on_cases = Q(case__in=_visible_cases(user))
    if access_has_role(user=user, roles=frozenset({Role.ADMINISTRATOR, Role.LEGAL_OFFICER})):
        on_cases |= Q(case__isnull=True)
    tasks = StaffTask.objects.filter(on_cases, status=TaskStatus.OPEN)
    if kinds is not None:
        tasks = tasks.filter(kind__in=[kind.value for kind in kinds])
    return tasks.select_related("case").order_by("due_on", "pk")


def reviews_open(*, user: AnyUser) -> QuerySet[Decision]:
    """Contested automated decisions not yet reviewed by a person (GDPR art. 22(3))."""
    return (
        Decision.objects.filter(case__in=_visible_cases(user), contested_at__isnull=False, reviewed_at__isnull=True)
        .select_related("case")
        .order_by("contested_at", "pk")
    )


def unmatched_payments(*, user: AnyUser) -> QuerySet[StatementEntry]:
    if not access_has_role(user=user, roles=FINANCE_ROLES):
        return StatementEntry.objects.none()
    return unmatched_entries()


def queue_counts(*, user: AnyUser, today: datetime.date) -> list[QueueCount]:
    """The number of items in each queue; tasks are counted per kind in one query."""
    by_kind = dict(
        tasks_open(user=user).order_by().values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    counts = {
        QueueKey.DUE_TODAY: cases_due(user=user, today=today).count(),
        QueueKey.PROMISES: promises_due(user=user, today=today).count(),
        QueueKey.DISPUTES: by_kind.get(TaskKind.DISPUTE.value, 0),
        QueueKey.UNMATCHED: unmatched_payments(user=user).count(),
        QueueKey.APPROVALS: by_kind.get(TaskKind.APPROVAL.value, 0),
        QueueKey.REVIEWS: reviews_open(user=user).count(),
        QueueKey.TASKS: sum(by_kind.values()),
    }
    return [QueueCount(key=key, label=QUEUE_LABELS[key], count=counts[key]) for key in QueueKey]
