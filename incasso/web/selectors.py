"""What the home page shows: totals and the case pipeline per client, in two queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from incasso.cases.selectors import case_counts_by_client_and_stage
from incasso.domain.case_stages import Stage
from incasso.parties.selectors import client_overviews


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


def home_summary() -> HomeSummary:
    clients = client_overviews()
    # No clients means no cases: an empty database costs one query.
    counts = case_counts_by_client_and_stage() if clients else {}
    rows = tuple(
        PipelineRow(client_name=client.name, counts=tuple(counts.get((client.id, stage), 0) for stage in Stage))
        for client in clients
    )
    stage_totals = tuple(sum(row.counts[index] for row in rows) for index in range(len(Stage)))
    return HomeSummary(
        client_count=len(clients),
        debtor_count=sum(client.debtor_count for client in clients),
        open_case_count=sum(total for stage, total in zip(Stage, stage_totals, strict=True) if stage.is_open),
        stage_labels=tuple(_(stage.label) for stage in Stage),
        rows=rows,
        stage_totals=stage_totals,
    )
