"""Where the daily run's chunks run: on Celery workers when a broker is configured, else in this process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from django.conf import settings

from incasso.collection.daily_run import RunSummary

ChunkRunner = Callable[[Iterator[list[int]], date], RunSummary]


def chunk_runner() -> ChunkRunner | None:
    """The runner for the configured deployment; ``None`` means in-process (the embedded default)."""
    return run_chunks_on_workers if settings.CELERY_BROKER_URL else None


def run_chunks_on_workers(chunks: Iterator[list[int]], on: date) -> RunSummary:
    """Enqueue every chunk (workers on any machine pick them up), then wait for all and add up their summaries.

    Called outside any transaction, so a worker never sees a chunk before its data is committed.
    """
    from incasso.collection.tasks import daily_run_chunk_task

    pending = [daily_run_chunk_task.delay(ids, on.isoformat()) for ids in chunks]
    summary = RunSummary()
    for result in pending:
        summary.add(RunSummary(**result.get(timeout=settings.DAILY_RUN_CHUNK_TIMEOUT)))
    return summary
