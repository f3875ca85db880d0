"""Reads of the client portal, always for one client: every case read goes through ``accounts.access``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Case as Conditional
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.http import Http404

from incasso.accounts.access import AnyUser, access_cases, access_clients, access_has_role
from incasso.accounts.roles import Role
from incasso.cases.models import Case, Claim, MeasureStatus
from incasso.disclosures.models import Recipient
from incasso.intake.models import ClientApiKey, ImportBatch
from incasso.ledger.models import PaymentAllocation, Payout
from incasso.parties.agreements import ProcessorAgreement
from incasso.parties.models import Client
from incasso.privacy.recipients import RECIPIENT_CATEGORIES, RecipientKind
from incasso.rights.models import RequestStatus, RightsRequest

CLIENT_ROLES = frozenset({Role.CLIENT_USER})
AGEING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    ("365+", 366, None),
)


def portal_client(*, user: AnyUser) -> Client:
    """The one client a client user acts for; ``Http404`` for anybody else (staff use the back office)."""
    if not isinstance(user, User) or not access_has_role(user=user, roles=CLIENT_ROLES) or user.is_superuser:
        raise Http404("Not a client user.")
    client = access_clients(user=user).filter(memberships__user=user).order_by("pk").first()
    if client is None:
        raise Http404("Not a client user.")
    return client


def portal_cases(
    *, user: AnyUser, client: Client, stage: str = "", status: str = "", search: str = ""
) -> QuerySet[Case]:
    """The client's cases the user may see, filtered; newest first."""
    cases = access_cases(user=user).filter(client=client)
    if stage:
        cases = cases.filter(stage=stage)
    if status == "open":
        cases = cases.filter(closed_on__isnull=True)
    elif status == "closed":
        cases = cases.filter(closed_on__isnull=False)
    if search:
        term = search.strip()
        cases = cases.filter(Q(number=term) | Q(pk__in=Claim.objects.filter(invoice_number=term).values("case_id")))
    principal = Claim.objects.filter(case=OuterRef("pk")).values("case").annotate(total=Sum("principal_cents"))
    return cases.annotate(principal_cents=Subquery(principal.values("total"))).order_by("-pk")


def portal_awaiting_approval(*, user: AnyUser, client: Client) -> QuerySet[Case]:
    """Cases whose next step is a legal step waiting for the client's answer."""
    return (
        access_cases(user=user)
        .filter(client=client, measures__status=MeasureStatus.AWAITING_APPROVAL)
        .distinct()
        .order_by("pk")
    )


def case_awaits_approval(*, case: Case) -> bool:
    return case.measures.filter(status=MeasureStatus.AWAITING_APPROVAL).exists()


def portal_imports(*, client: Client, limit: int = 10) -> list[ImportBatch]:
    return list(ImportBatch.objects.filter(client=client).order_by("-created_at", "-pk")[:limit])


def portal_import(*, client: Client, batch_id: int) -> ImportBatch:
    batch = ImportBatch.objects.filter(client=client, pk=batch_id).first()
    if batch is None:
        raise Http404("No such import.")
    return batch


def portal_payouts(*, client: Client) -> QuerySet[Payout]:
    return Payout.objects.filter(client=client).order_by("-period_end", "-pk")


def portal_payout(*, client: Client, payout_id: int) -> Payout:
    payout = Payout.objects.filter(client=client, pk=payout_id).select_related("client").first()
    if payout is None:
        raise Http404("No such payout.")
    return payout


def portal_api_keys(*, client: Client) -> QuerySet[ClientApiKey]:
    return ClientApiKey.objects.filter(client=client).order_by("-created_at")


def portal_api_key(*, client: Client, key_id: int) -> ClientApiKey:
    key = ClientApiKey.objects.filter(client=client, pk=key_id).first()
    if key is None:
        raise Http404("No such key.")
    return key


def processor_agreement_current(*, client: Client, on: datetime.date) -> ProcessorAgreement | None:
    return (
        ProcessorAgreement.objects.filter(client=client, valid_from__lte=on).order_by("-valid_from", "-version").first()
    )


def sub_processors() -> QuerySet[Recipient]:
    """The agency's active recipients that process on its instructions (GDPR art. 28(2): the client's right to know)."""
    codes = [category.code for category in RECIPIENT_CATEGORIES if category.kind is RecipientKind.PROCESSOR]
    return Recipient.objects.filter(active=True, category__in=codes, client__isnull=True).order_by("name")


@dataclass(frozen=True)
class ClientReport:
    cases_per_stage: list[tuple[str, int]]
    recovered_per_month: list[tuple[datetime.date, int]]
    ageing: list[tuple[str, int]]
    recovered_cents: int
    principal_cents: int

    @property
    def collection_rate_percent(self) -> Decimal:
        """Recovered as a percentage of the principal handed over (one decimal)."""
        if not self.principal_cents:
            return Decimal(0)
        return (Decimal(100 * self.recovered_cents) / self.principal_cents).quantize(Decimal("0.1"))


def client_report(*, user: AnyUser, client: Client, today: datetime.date, months: int = 12) -> ClientReport:
    """The report's figures, each one aggregate query over the client's cases (set-based, no per-case loop)."""
    cases = access_cases(user=user).filter(client=client)
    per_stage = list(cases.values_list("stage").annotate(n=Count("pk")).order_by("stage"))
    since = (today.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    allocations = PaymentAllocation.objects.filter(case__in=cases.values("pk"))
    monthly = (
        allocations.filter(received_on__gte=since)
        .annotate(month=TruncMonth("received_on"))
        .values_list("month")
        .annotate(total=Sum("amount_cents"))
        .order_by("month")
    )
    recovered = allocations.aggregate(total=Sum("amount_cents"))["total"] or 0
    principal = Claim.objects.filter(case__in=cases.values("pk")).aggregate(total=Sum("principal_cents"))["total"] or 0
    bucket = Conditional(
        *[
            When(
                due_date__lte=today - datetime.timedelta(days=low),
                **({"due_date__gte": today - datetime.timedelta(days=high)} if high is not None else {}),
                then=Value(index),
            )
            for index, (_label, low, high) in enumerate(AGEING_BUCKETS)
        ],
        default=Value(-1),
        output_field=IntegerField(),
    )
    counts = dict(
        Claim.objects.filter(case__in=cases.filter(closed_on__isnull=True).values("pk"))
        .annotate(bucket=bucket)
        .values_list("bucket")
        .annotate(n=Count("pk"))
        .values_list("bucket", "n")
    )
    return ClientReport(
        cases_per_stage=[(str(stage), int(n)) for stage, n in per_stage],
        recovered_per_month=[(_as_date(month), int(total or 0)) for month, total in monthly],
        ageing=[(label, int(counts.get(index, 0))) for index, (label, _low, _high) in enumerate(AGEING_BUCKETS)],
        recovered_cents=int(recovered),
        principal_cents=int(principal),
    )


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def forwarded_rights_requests(*, client: Client) -> QuerySet[RightsRequest]:
    """Data-subject requests forwarded to the client as controller, waiting for or carrying its instruction."""
    return (
        RightsRequest.objects.filter(controller=client, status__in=[RequestStatus.FORWARDED, RequestStatus.INSTRUCTED])
        .prefetch_related("debtors")
        .order_by("due_on", "pk")
    )


def forwarded_rights_request(*, client: Client, request_id: int) -> RightsRequest:
    found = forwarded_rights_requests(client=client).filter(pk=request_id).first()
    if found is None:
        raise Http404("No such request.")
    return found
