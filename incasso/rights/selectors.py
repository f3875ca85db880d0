"""Reads of the requests: the privacy officer's queue and the deadline report."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import DateField, Q, QuerySet
from django.db.models.functions import Coalesce

from incasso.accounts.access import access_cases
from incasso.audit.models import AuditAction
from incasso.cases.models import CaseHold, HoldKindChoices
from incasso.parties.models import Debtor
from incasso.rights.history import request_step
from incasso.rights.models import OPEN_STATUSES, RightsRequest

NEAR_DUE_DAYS = 7


def debtors_of_case_number(*, user: User, number: str) -> list[Debtor]:
    """The debtor of the case a caller names, among the cases ``user`` may see (``access_cases``); none when blank."""
    if not number:
        return []
    return [case.debtor for case in access_cases(user=user).filter(number=number).select_related("debtor")[:1]]


def requests_open() -> QuerySet[RightsRequest]:
    """Open requests, the one due first on top; ``deadline_on`` is the (extended) due date."""
    return (
        RightsRequest.objects.filter(status__in=OPEN_STATUSES)
        .annotate(deadline_on=Coalesce("extended_to", "due_on", output_field=DateField()))
        .select_related("controller")
        .order_by("deadline_on", "pk")
    )


def deadline_state(request: RightsRequest, *, today: datetime.date, near_days: int = NEAR_DUE_DAYS) -> str:
    """``overdue``, ``near`` (due within ``near_days``) or ``ok``: the colour of the queue row."""
    if request.deadline < today:
        return "overdue"
    if request.deadline <= today + datetime.timedelta(days=near_days):
        return "near"
    return "ok"


@dataclass(frozen=True, slots=True)
class DeadlineReport:
    overdue: list[dict[str, str]]
    near_due: list[dict[str, str]]


def requests_deadline_report(*, today: datetime.date, near_days: int = NEAR_DUE_DAYS) -> DeadlineReport:
    """Open requests past their deadline, and those due within ``near_days``. One query."""
    horizon = today + datetime.timedelta(days=near_days)
    rows = requests_open().filter(
        Q(extended_to__isnull=False, extended_to__lte=horizon) | Q(extended_to__isnull=True, due_on__lte=horizon)
    )
    overdue: list[dict[str, str]] = []
    near: list[dict[str, str]] = []
    for request in rows:
        line = {
            "reference": request.reference,
            "kind": request.kind,
            "status": request.status,
            "received_at": request.received_at.isoformat(),
            "deadline": request.deadline.isoformat(),
            "extended": "yes" if request.extended_to else "no",
            "controller": request.controller.code if request.controller else "agency",
        }
        (overdue if request.deadline < today else near).append(line)
    return DeadlineReport(overdue=overdue, near_due=near)


def debtors_restricted(*, debtor_ids: list[int], on: datetime.date) -> set[int]:
    """The debtors whose processing is restricted on ``on`` (a restriction hold on any of their cases): storage
    only, so no letter, call, decision or disclosure. One query."""
    return set(
        CaseHold.objects.filter(
            case__debtor_id__in=debtor_ids, kind=HoldKindChoices.RESTRICTION, lifted_at__isnull=True
        )
        .exclude(until__lt=on)
        .values_list("case__debtor_id", flat=True)
    )


def request_for_officer(*, request_id: int, officer: User, source: str) -> RightsRequest | None:
    """One request with its subjects, for the privacy officer's page; the read of the subjects is audited."""
    found = RightsRequest.objects.select_related("controller", "client_contact").filter(pk=request_id).first()
    if found is None:
        return None
    with transaction.atomic():
        request_step(
            request=found,
            action="read",
            actor=officer,
            fields=["rights.RightsRequest", "parties.Debtor.surname", "parties.Debtor.reference"],
            audit_action=AuditAction.READ,
            details={"from": source},
            debtor_ids=list(found.debtors.values_list("pk", flat=True)),
        )
    return found
