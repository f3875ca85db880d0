"""Reads for cases and claims."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db.models import Count, F
from django.utils import timezone

from incasso.cases.models import Case, CaseHold, Claim
from incasso.core.bulk_insert import AnyOf
from incasso.domain.case_lifecycle import CaseFacts, HoldKind
from incasso.domain.case_stages import Stage
from incasso.domain.instructions import ClientInstructions
from incasso.domain.interest import InterestKind
from incasso.domain.money import Money
from incasso.domain.quote import ClaimInput, CostsInput, Quote, QuoteRequest, quote_calculate
from incasso.legal.services import interest_rate_tables
from incasso.parties.models import DebtorKind
from incasso.parties.selectors import client_instructions


def case_counts_by_client_and_stage() -> dict[tuple[int, Stage], int]:
    """Number of cases per (client id, stage), in one grouped query; combinations without cases are absent."""
    rows = Case.objects.order_by().values_list("client_id", "stage").annotate(count=Count("id"))
    return {(client_id, Stage(stage)): count for client_id, stage, count in rows}


def case_active_holds(*, case_ids: Iterable[int]) -> dict[int, frozenset[HoldKind]]:
    """The holds in force per case, in one query (a hold with a past ``until`` date no longer counts)."""
    today = timezone.localdate()
    rows = (
        CaseHold.objects.filter(AnyOf(F("case_id"), list(case_ids)), lifted_at__isnull=True)  # one array parameter
        .exclude(until__lt=today)
        .values_list("case_id", "kind")
    )
    holds: dict[int, set[HoldKind]] = {}
    for case_id, kind in rows:
        holds.setdefault(case_id, set()).add(HoldKind(kind))
    return {case_id: frozenset(kinds) for case_id, kinds in holds.items()}


def case_facts(*, case: Case, today: date, instructions: ClientInstructions | None = None) -> CaseFacts:
    """What the stage machine's guards need to know about one case."""
    if instructions is None:
        instructions = client_instructions(client_id=case.client_id, on=today)
    holds = case_active_holds(case_ids=[case.pk]).get(case.pk, frozenset())
    return case_facts_from(case=case, today=today, instructions=instructions, holds=holds)


def case_facts_from(
    *, case: Case, today: date, instructions: ClientInstructions, holds: frozenset[HoldKind]
) -> CaseFacts:
    """Build the facts from values already loaded: the set-based path of the daily run uses this directly."""
    return CaseFacts(
        stage=Stage(case.stage),
        consumer=case.debtor.kind == DebtorKind.CONSUMER,
        today=today,
        holds=holds,
        fourteen_day_term_passed_on=case.costs_due_from,
        legal_steps_need_approval=instructions.legal_steps_need_approval,
        legal_steps_approved=case.legal_steps_approved_at is not None,
        allowed_measures=instructions.allowed_measures,
    )


VAT_RATE = Decimal("0.21")


def case_quote_requests(*, case_ids: Iterable[int], as_of: date) -> dict[int, QuoteRequest]:
    """The quote request of each case as of a date, built in three queries (cases with clients, claims, payments).

    Collection costs are part of the quote once the case has a costs-due date (the 14-day term passed for a
    consumer, the day after the payment term for a business); VAT is added when the client cannot deduct it.
    Payments are the ledger's (reversed ones left out) received on or before ``as_of``.
    """
    ids = list(case_ids)
    # AnyOf: one array parameter for thousands of cases (a statement chunk's), not a placeholder each.
    cases = Case.objects.filter(AnyOf(F("pk"), ids)).values_list(*QUOTE_CASE_COLUMNS)
    claims = Claim.objects.filter(AnyOf(F("case_id"), ids)).order_by(*QUOTE_CLAIM_ORDER)
    return case_quote_requests_from(cases=cases, claims=claims.values_list(*QUOTE_CLAIM_COLUMNS), as_of=as_of)


# What a quote request is built from, for a caller that reads the cases and claims itself (the daily run, which
# reads them anyway): these columns of each case, and these of each claim in this order.
QUOTE_CASE_COLUMNS = ("pk", "interest_kind", "costs_due_from", "client__vat_deductible")
QUOTE_CLAIM_COLUMNS = ("case_id", "invoice_number", "principal_cents", "due_date")
QUOTE_CLAIM_ORDER = ("case_id", "due_date", "invoice_number")


def case_quote_requests_from(
    *,
    cases: Iterable[tuple[int, str, date | None, bool]],
    claims: Iterable[tuple[int, str, int, date]],
    as_of: date,
) -> dict[int, QuoteRequest]:
    """:func:`case_quote_requests` from rows already read: ``cases`` with ``QUOTE_CASE_COLUMNS``, ``claims`` with
    ``QUOTE_CLAIM_COLUMNS`` in ``QUOTE_CLAIM_ORDER``. Reads the payments (one query)."""
    # Imported here: the ledger books payments by calling this module, so a top-level import would be circular.
    from incasso.ledger.selectors import case_payments

    case_rows = list(cases)
    by_case: dict[int, list[ClaimInput]] = {}
    for case_id, invoice, principal, due in claims:
        by_case.setdefault(case_id, []).append(ClaimInput(invoice, Money(principal), due))
    payments = case_payments(case_ids=[row[0] for row in case_rows])
    requests = {}
    for case_id, interest_kind, costs_due_from, vat_deductible in case_rows:
        if case_id not in by_case:
            continue
        costs = None
        if costs_due_from is not None:
            costs = CostsInput(costs_due_from, None if vat_deductible else VAT_RATE)
        paid = tuple(payment for payment in payments.get(case_id, ()) if payment.date <= as_of)
        requests[case_id] = QuoteRequest(InterestKind(interest_kind), as_of, tuple(by_case[case_id]), paid, costs)
    return requests


def case_quote(*, case: Case, as_of: date) -> Quote:
    """The one quote (LEGAL.md §4) of a case: what the debtor owes on ``as_of`` and where payments went."""
    request = case_quote_requests(case_ids=[case.pk], as_of=as_of).get(case.pk)
    if request is None:
        raise ValueError(f"case {case.number} has no claims")
    return quote_calculate(request, interest_rate_tables())
