"""How fast the daily run handles open cases: the demo agency at scale, one run over every due case.

Demo cases (every stage, three clients with different instructions) on a fresh embedded (SQLite) database, or on
a fresh PostgreSQL database created beside DATABASE_URL's (named ``<name>_dailyrun``) so no data is touched.
Timed: the whole run — quotes, limitation, strategy decisions, moves, measures, tasks and queued letters.
Measured in a child process so it gets its own database and settings whichever benchmarks ran before it.
Size: INCASSO_BENCH_DEBTORS (default 20,000 debtors, about 19,000 open cases); the issue's target is 1,000,000
open cases within 60 seconds on 2 cores, and the figures below say how far off that is.
With INCASSO_BENCH_WORKERS=N (PostgreSQL and CELERY_BROKER_URL set) the chunks run on N Celery workers (solo pool,
one process each) started for the measurement, the distributed deployment; otherwise in this one process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def run() -> dict[str, Any]:
    debtors = int(os.environ.get("INCASSO_BENCH_DEBTORS", "20000"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    if "DATABASE_URL" in env:
        env["DATABASE_URL"] = _fresh_postgres_database(env["DATABASE_URL"])
    else:
        env["INCASSO_VAR_DIR"] = tempfile.mkdtemp(prefix="incasso-bench-dailyrun-")
    out = subprocess.run(  # noqa: S603 - our own interpreter and module, no outside input
        [sys.executable, "-m", "bench.daily_run", str(debtors)], cwd=ROOT, env=env, capture_output=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"the daily-run benchmark failed:\n{out.stderr.decode()[-3000:]}")
    figures: dict[str, Any] = json.loads(out.stdout.decode().strip().splitlines()[-1])
    return figures


def _fresh_postgres_database(url: str) -> str:
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_dailyrun"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def _measure(debtors: int) -> dict[str, Any]:
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    from incasso.cases.models import Case
    from incasso.collection.daily_run import daily_run
    from incasso.demo.dataset import REFERENCE_DATE
    from incasso.demo.services import demo_create

    call_command("migrate", verbosity=0)
    demo_create(seed=1, debtors=debtors)
    open_cases = Case.objects.exclude(stage="closed").count()
    workers = int(os.environ.get("INCASSO_BENCH_WORKERS", "0"))
    connection.close()  # the workers and the run get their own connections
    with _workers(workers) as run_chunks:
        started = time.perf_counter()
        summary = daily_run(on=REFERENCE_DATE, run_chunks=run_chunks)
        elapsed = time.perf_counter() - started
    second_started = time.perf_counter()
    second = daily_run(on=REFERENCE_DATE)
    second_elapsed = time.perf_counter() - second_started
    rate = summary.cases / elapsed
    return {
        "benchmark": "daily_run",
        "database": connection.vendor,
        "open_cases": open_cases,
        "handled": summary.cases,
        "decided": summary.decided,
        "moved": summary.moved,
        "letters_queued": summary.letters,
        "seconds": round(elapsed, 2),
        "cases_per_second": round(rate),
        "same_day_rerun_seconds": round(second_elapsed, 2),
        "same_day_rerun_cases": second.cases,
        "workers": f"{workers} Celery workers (solo pool)" if workers else "in-process (one core)",
        "extrapolated_seconds_for_1m_cases": round(1_000_000 / rate),
        "load_average_1min": round(os.getloadavg()[0], 2),  # other work on the cores moves the figure
        "target": "1,000,000 open cases within 60 s",
    }


@contextmanager
def _workers(count: int) -> Iterator[Any]:
    """Nothing for an in-process run; else ``count`` Celery workers on this machine, stopped afterwards."""
    if not count:
        yield None
        return
    from django.conf import settings

    from incasso.collection.dispatch import run_chunks_on_workers

    if not settings.CELERY_BROKER_URL:
        raise RuntimeError("INCASSO_BENCH_WORKERS needs CELERY_BROKER_URL")
    from config.celery import app

    queue = f"bench-daily-run-{os.getpid()}"  # a queue of its own: no other worker on the broker takes a chunk
    app.conf.task_default_queue = queue
    celery = str(Path(sys.executable).with_name("celery"))
    names = [f"bench{n}-{os.getpid()}@localhost" for n in range(count)]
    processes = [
        subprocess.Popen(  # noqa: S603 - our own worker command, no outside input
            [celery, "-A", "config", "worker", "-P", "solo", "-Q", queue, "-n", name, "-l", "warning"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name in names
    ]
    try:
        deadline = time.monotonic() + 60
        while len(app.control.ping(destination=names, timeout=1.0) or []) < count:
            if time.monotonic() > deadline:
                raise RuntimeError("the Celery workers did not start")
        yield run_chunks_on_workers
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)


if __name__ == "__main__":
    print(json.dumps(_measure(int(sys.argv[1]))))
