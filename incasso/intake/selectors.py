"""Reads of claim intake."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Sum

from incasso.cases.models import Claim
from incasso.core.bulk_insert import AnyKey
from incasso.domain.money import Money
from incasso.intake.models import ClaimCredit, ImportBatch
from incasso.parties.models import Client


def client_for_code(*, code: str) -> Client | None:
    """The client an import names by its code (``incasso import-claims --client CODE``)."""
    return Client.objects.filter(code=code).first()


def claims_credited_cents(*, claim_ids: Iterable[int]) -> dict[int, int]:
    """Total credit-note amount per claim, in one query (an index probe per claim: it is asked for a chunk's worth
    of claims at a time); claims without credits are absent."""
    rows = (
        ClaimCredit.objects.filter(AnyKey(F("claim_id"), list(claim_ids)))
        .order_by()
        .values("claim_id")
        .annotate(total=Sum("amount_cents"))
        .values_list("claim_id", "total")
    )
    return {claim_id: int(total) for claim_id, total in rows}


def claim_outstanding_principal(*, claim: Claim) -> Money:
    """The principal still claimed: the invoice's principal less the credit notes that reduced it.

    Payments are not subtracted here: they are allocated by the quote (costs, interest, then principal).
    """
    credited = claims_credited_cents(claim_ids=[claim.pk]).get(claim.pk, 0)
    return Money(claim.principal_cents - credited, claim.currency)


def import_batches(*, client: Client, limit: int = 50) -> list[ImportBatch]:
    """The client's most recent imports, newest first."""
    return list(ImportBatch.objects.filter(client=client).order_by("-created_at", "-pk")[:limit])
