"""Celery tasks of the collection engine: thin wrappers that call one service each."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from celery import shared_task

from incasso.collection.daily_run import daily_run_chunk


@shared_task(name="incasso.collection.daily_run_chunk")  # type: ignore[untyped-decorator]
def daily_run_chunk_task(case_ids: list[int], on: str) -> dict[str, int]:
    """One chunk of the daily run. Idempotent: a case already handled on ``on`` is skipped, so a retry is safe."""
    return asdict(daily_run_chunk(case_ids=case_ids, on=date.fromisoformat(on)))
