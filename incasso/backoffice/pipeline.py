"""The pipeline on the staff home page: totals and cases per stage per client, over the user's cases only."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from incasso.accounts.access import access_cases, access_clients
from incasso.domain.case_stages import Stage

AnyUser = User | AnonymousUser


@dataclass(frozen=True)
class PipelineRow:
    client_name: str
    counts: tuple[int, ...]  # one per Stage, in Stage order

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class HomeSummary:
    client_count: int
    debtor_count: int
    open_case_count: int
    stage_labels: tuple[str | Promise, ...]
    rows: tuple[PipelineRow, ...]
    stage_totals: tuple[int, ...]

    @property
    def has_data(self) -> bool:
        return self.client_count > 0

    @property
    def case_count(self) -> int:
        return sum(self.stage_totals)


def home_summary(*, user: AnyUser) -> HomeSummary:
    """Counts over the clients and cases ``user`` may see (a collector: their teams' clients), in two queries."""
    clients = list(
        access_clients(user=user)
        .annotate(debtor_count=Count("debtors"))
        .order_by("name")
        .values_list("id", "name", "debtor_count")
    )
    counts: dict[tuple[int, Stage], int] = {}
    if clients:  # no clients means no cases: an empty database costs one query
        rows = access_cases(user=user).order_by().values_list("client_id", "stage").annotate(n=Count("id"))
        counts = {(client_id, Stage(stage)): n for client_id, stage, n in rows}
    pipeline = tuple(
        PipelineRow(client_name=name, counts=tuple(counts.get((pk, stage), 0) for stage in Stage))
        for pk, name, _debtors in clients
    )
    stage_totals = tuple(sum(row.counts[index] for row in pipeline) for index in range(len(Stage)))
    return HomeSummary(
        client_count=len(clients),
        debtor_count=sum(debtors for _pk, _name, debtors in clients),
        open_case_count=sum(total for stage, total in zip(Stage, stage_totals, strict=True) if stage.is_open),
        stage_labels=tuple(_(stage.label) for stage in Stage),
        rows=pipeline,
        stage_totals=stage_totals,
    )
