"""Reads for cases and claims."""

from __future__ import annotations

from django.db.models import Count

from incasso.cases.models import Case
from incasso.domain.case_stages import Stage


def case_counts_by_client_and_stage() -> dict[tuple[int, Stage], int]:
    """Number of cases per (client id, stage), in one grouped query; combinations without cases are absent."""
    rows = Case.objects.order_by().values_list("client_id", "stage").annotate(count=Count("id"))
    return {(client_id, Stage(stage)): count for client_id, stage, count in rows}
