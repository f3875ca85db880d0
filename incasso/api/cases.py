"""``GET /api/v1/cases`` and ``GET /api/v1/cases/{number}``: the cases the caller may see, and one of them.

Three ways in: a client's API key (that client's cases only), a debtor's portal session (that debtor's
cases) or a logged-in session (staff and client users, the cases ``access_cases`` allows). Every case is read
through ``incasso.accounts.access``; a case outside the caller's cases answers 404 exactly like one that does
not exist. Reading one case is audited.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.security import APIKeyCookie, SessionAuth
from pydantic import Field

from incasso.accounts.access import (
    access_case_by_number,
    access_cases,
    access_client_case,
    access_client_cases,
    access_debtor_case_by_number,
    access_debtor_cases,
)
from incasso.api.claims import ClientKeyBearer, ClientKeyHeader
from incasso.api.schemas import RequestInvalidOut
from incasso.cases.models import Case, Claim
from incasso.cases.selectors import case_quote
from incasso.debtor_portal.login import PortalIdentity
from incasso.debtor_portal.session import session_identity
from incasso.domain.money import Money
from incasso.domain.quote_io import render_quote
from incasso.parties.models import Client

PAGE_SIZE_MAX = 200
router = Router(tags=["cases"])


class DebtorPortalSession(APIKeyCookie):
    """A debtor's portal session (case number + letter code log-in): that debtor's cases only."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> PortalIdentity | None:
        return session_identity(request) if key else None


AUTH = [ClientKeyBearer(), ClientKeyHeader(), DebtorPortalSession(csrf=False), SessionAuth()]


class CaseOut(Schema):
    number: str = Field(examples=["2026-000123"])
    stage: str
    opened_on: str
    closed_on: str | None
    closed_reason: str | None


class ClaimOut(Schema):
    invoice_number: str
    invoice_date: str
    due_date: str
    principal: str = Field(examples=["1250.00"])


class StageEventOut(Schema):
    occurred_at: str
    from_stage: str
    to_stage: str


class CaseDetailOut(CaseOut):
    claims: list[ClaimOut]
    stage_events: list[StageEventOut]
    quote: dict[str, Any] | None = Field(description="the quote as of today, as POST /quote answers it")


class CaseFilters(Schema):
    stage: str | None = None
    open: bool | None = Field(default=None, description="true: open cases only; false: closed only")
    search: str | None = Field(default=None, description="a case number or one of the case's invoice numbers")
    limit: int = Field(default=50, ge=1, le=PAGE_SIZE_MAX)
    offset: int = Field(default=0, ge=0)


class NotFoundOut(Schema):
    detail: str


def _visible(request: HttpRequest) -> QuerySet[Case]:
    caller = request.auth  # type: ignore[attr-defined]
    if isinstance(caller, Client):
        return access_client_cases(client=caller)
    if isinstance(caller, PortalIdentity):
        return access_debtor_cases(debtor_id=caller.debtor_id)
    return access_cases(user=request.user)


def _case(case: Case) -> dict[str, Any]:
    return {
        "number": case.number,
        "stage": case.stage,
        "opened_on": case.opened_on.isoformat(),
        "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        "closed_reason": case.closed_reason,
    }


@router.get(
    "/cases",
    auth=AUTH,
    response={200: list[CaseOut], 422: RequestInvalidOut},
    summary="The cases the caller may see, newest first",
    description="An API key sees its client's cases; a logged-in user the cases their role allows.",
)
def cases_list(request: HttpRequest, filters: Query[CaseFilters]) -> list[dict[str, Any]]:
    cases = _visible(request)
    if filters.stage:
        cases = cases.filter(stage=filters.stage)
    if filters.open is not None:
        cases = cases.filter(closed_on__isnull=filters.open)
    if filters.search:
        term = filters.search.strip()
        cases = cases.filter(Q(number=term) | Q(pk__in=Claim.objects.filter(invoice_number=term).values("case_id")))
    page = cases.order_by("-pk")[filters.offset : filters.offset + filters.limit]
    return [_case(case) for case in page]


@router.get(
    "/cases/{number}",
    auth=AUTH,
    response={200: CaseDetailOut, 404: NotFoundOut},
    summary="One case with its claims, stage history and today's quote",
    description="404 for a case that does not exist and for one the caller may not see alike. The read is audited.",
)
def case_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    caller = request.auth  # type: ignore[attr-defined]
    if isinstance(caller, Client):
        case = access_client_case(client=caller, number=number, request=request, fields=["claims"])
    elif isinstance(caller, PortalIdentity):
        case = access_debtor_case_by_number(
            debtor_id=caller.debtor_id, number=number, request=request, fields=["claims"]
        )
    else:
        assert isinstance(request.user, User)  # noqa: S101 - SessionAuth admits logged-in users only
        case = access_case_by_number(user=request.user, number=number, request=request, fields=["claims"])
    claims = list(case.claims.order_by("due_date", "pk"))
    events = case.stage_events.order_by("occurred_at", "pk")
    quote = render_quote(case_quote(case=case, as_of=timezone.localdate())) if claims else None
    return {
        **_case(case),
        "claims": [
            {
                "invoice_number": claim.invoice_number,
                "invoice_date": claim.invoice_date.isoformat(),
                "due_date": claim.due_date.isoformat(),
                "principal": str(Money(claim.principal_cents)),
            }
            for claim in claims
        ],
        "stage_events": [
            {"occurred_at": e.occurred_at.isoformat(), "from_stage": e.from_stage, "to_stage": e.to_stage}
            for e in events
        ],
        "quote": quote,
    }
