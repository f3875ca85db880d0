"""Reads for clients and debtors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count

from incasso.domain.instructions import ClientInstructions
from incasso.domain.money import Money
from incasso.parties.models import Client, ProcessorAgreement


@dataclass(frozen=True)
class ClientOverview:
    id: int
    code: str
    name: str
    debtor_count: int


def client_exists() -> bool:
    """Whether any client exists: the demo loader's "is this database empty?" question."""
    return Client.objects.exists()


def client_overviews() -> list[ClientOverview]:
    """Every client with its number of debtors, in one query."""
    rows = (
        Client.objects.annotate(debtor_count=Count("debtors"))
        .order_by("name")
        .values_list("id", "code", "name", "debtor_count")
    )
    return [ClientOverview(id=pk, code=code, name=name, debtor_count=count) for pk, code, name, count in rows]


def client_instructions(*, client_id: int, on: date) -> ClientInstructions:
    """The instructions of the processor agreement in force on ``on`` (the highest version valid by then)."""
    return client_instructions_by_client(client_ids=[client_id], on=on)[client_id]


def client_instructions_by_client(*, client_ids: Iterable[int], on: date) -> dict[int, ClientInstructions]:
    """Instructions per client in one query, for set-based work such as the daily run."""
    ids = list(client_ids)
    result = dict.fromkeys(ids, ClientInstructions.agency_default())
    agreements = (
        ProcessorAgreement.objects.filter(client_id__in=ids, valid_from__lte=on)
        .order_by("client_id", "-version")
        .values_list(
            "client_id",
            "version",
            "allowed_measures",
            "legal_steps_need_approval",
            "settlement_authority_bp",
            "plan_max_months",
            "plan_min_instalment_cents",
        )
    )
    seen: set[int] = set()
    for client_id, version, measures, approval, settlement, months, minimum in agreements:
        if client_id in seen:
            continue
        seen.add(client_id)
        result[client_id] = ClientInstructions(
            agreement_version=version,
            allowed_measures=frozenset(measures),
            legal_steps_need_approval=approval,
            settlement_authority_bp=settlement,
            plan_max_months=months,
            plan_min_instalment=Money(minimum),
        )
    return result
