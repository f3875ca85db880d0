"""Limitation dates of claims, kept current by the daily run (C-14, LEGAL.md §5)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from incasso.cases.models import Claim, LimitationPeriod
from incasso.core.bulk_update import values_update
from incasso.domain.limitation import (
    Interruption,
    InterruptionKind,
    LimitationKind,
    is_near_limitation,
    limitation_date,
)

_KINDS = {
    LimitationPeriod.CONTRACT.value: LimitationKind.CONTRACT,
    LimitationPeriod.CONSUMER_PURCHASE.value: LimitationKind.CONSUMER_PURCHASE,
}


@dataclass(frozen=True)
class ClaimLimitation:
    claim_id: int
    case_id: int
    limitation_date: date
    changed: bool


def claims_limitation_refresh(
    *, rows: Iterable[tuple[int, int, date, str, date | None, date | None]]
) -> list[ClaimLimitation]:
    """Compute the limitation date of each claim row and write the ones that changed in one bulk update.

    A row is (claim id, case id, due date, limitation kind, last interruption, stored limitation date). The last
    written demand or acknowledgement is enough: each interruption starts a new period from the day after it.
    """
    results = claims_limitation_compute(rows=rows)
    values_update(Claim, "limitation_date", {item.claim_id: item.limitation_date for item in results if item.changed})
    return results


def claims_limitation_compute(
    *, rows: Iterable[tuple[int, int, date, str, date | None, date | None]]
) -> list[ClaimLimitation]:
    """What :func:`claims_limitation_refresh` would write, without writing it."""
    results: list[ClaimLimitation] = []
    for claim_id, case_id, due_date, kind, interrupted_on, stored in rows:
        barred_from = _limitation_date(due_date, kind, interrupted_on)
        results.append(ClaimLimitation(claim_id, case_id, barred_from, barred_from != stored))
    return results


def claim_limitation_date(*, due_date: date, kind: str, interrupted_on: date | None) -> date:
    return _limitation_date(due_date, kind, interrupted_on)


# A pure function of three values that many claims share (a chunk's claims fall due on a few hundred days):
# computed once per distinct triple instead of once per claim.
@lru_cache(maxsize=65_536)
def _limitation_date(due_date: date, kind: str, interrupted_on: date | None) -> date:
    interruptions = [Interruption(interrupted_on, InterruptionKind.WRITTEN_DEMAND)] if interrupted_on else []
    return limitation_date(due_date, _KINDS[kind], interruptions)


def cases_near_limitation(*, limitations: Iterable[ClaimLimitation], on: date) -> set[int]:
    return {item.case_id for item in limitations if is_near_limitation(item.limitation_date, on)}
