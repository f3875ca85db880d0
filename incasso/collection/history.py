"""What the strategy reads of a chunk's cases beyond the quote: promises kept and broken, and the debtor's
circumstances (C-6, C-7). One grouped query per source for the whole chunk, never one per case."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F

from incasso.arrangements.models import PromiseStatus, PromiseToPay
from incasso.circumstances.selectors import SituationFacts, debtors_situation_facts, debtors_vulnerable
from incasso.core.bulk_insert import AnyOf


@dataclass(frozen=True, slots=True)
class CaseHistory:
    """What the strategy reads of the chunk's debtors beyond the quote: promises, circumstances (C-6, C-7)."""

    promises: dict[tuple[int, str], int]  # (case, kept/broken) -> how many
    situations: dict[int, SituationFacts]  # by debtor: the newest financial situation
    vulnerable: set[int]  # debtors with an active vulnerability flag


def cases_history(*, case_debtors: Sequence[tuple[int, int]], on: date) -> CaseHistory:
    """The history of ``case_debtors`` (case id, debtor id pairs); the payments come with the quote's read."""
    ids = [case_id for case_id, _debtor_id in case_debtors]
    debtor_ids = {debtor_id for _case_id, debtor_id in case_debtors}
    promises = {
        (case_id, status): count
        for case_id, status, count in PromiseToPay.objects.filter(
            AnyOf(F("case_id"), ids), status__in=(PromiseStatus.KEPT, PromiseStatus.BROKEN)
        )
        .values("case_id", "status")
        .annotate(count=Count("pk"))
        .values_list("case_id", "status", "count")
        .order_by()
    }
    return CaseHistory(
        promises=promises,
        situations=debtors_situation_facts(debtor_ids=debtor_ids, on=on),
        vulnerable=debtors_vulnerable(debtor_ids=debtor_ids),
    )
