"""Reads for clients and debtors."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from incasso.parties.models import Client


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
