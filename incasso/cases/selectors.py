"""Reads for cases and claims."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Count
from django.utils import timezone

from incasso.cases.models import Case, CaseHold
from incasso.domain.case_lifecycle import CaseFacts, HoldKind
from incasso.domain.case_stages import Stage
from incasso.domain.instructions import ClientInstructions
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
        CaseHold.objects.filter(case_id__in=list(case_ids), lifted_at__isnull=True)
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
