"""How fast the daily run handles open cases: the demo agency at scale, one run over every due case.

Demo cases (every stage, three clients with different instructions) on a fresh embedded (SQLite) database, or on
a fresh PostgreSQL database created beside DATABASE_URL's (named ``<name>_dailyrun``) so no data is touched.
Timed: the whole run — quotes, limitation, strategy decisions, moves, measures, tasks, queued letters and the
queueing of the insolvency-register checks.

Two scenarios, on the same data, in this order:

- **First run** (the top-level figures, unchanged in meaning since the benchmark was written): the demo's reference
  day D, on which every open case is due — every case is evaluated in full and gets a stored decision. This is
  the figure the issue's target is about, and the worst case: a day on which nothing can be skipped.
- **Steady state** (``steady_state`` in the JSON): the days after D on the same data. A case handled on D is due
  again on its next measure date (the rule's ``review_in_days``: 3 to 30 days in the standard strategy), so a
  later day handles only the cases whose date has come; the others cost nothing. Measured for the next day D+1
  (``steady_state.next_day``) and as the average of the week D+1..D+7 (``steady_state.week``);
  ``open_cases_per_second`` there is the rate at which the run brings all open cases up to date on such a day.
  The demo data get no payments or other events between the days.

Size: INCASSO_BENCH_DEBTORS (default 20,000 debtors, about 19,000 open cases); the issue's target is 1,000,000
open cases within 60 seconds on 2 cores, and the figures below say how far off that is.

The issue's deployment is PostgreSQL with the chunks as Celery tasks on workers. So on PostgreSQL, with a broker
that answers (CELERY_BROKER_URL), the run is measured twice on identical copies of the data: on N Celery workers
(solo pool, one process each, started for the measurement; INCASSO_BENCH_WORKERS, default 2 — one per core) and
in one process. The top-level figures are the workers' run, ``in_process`` holds the other. INCASSO_BENCH_WORKERS=0
measures in-process only. Each measurement runs in a child process with its own database and settings.
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

from bench.databases import fresh_postgres_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORKERS = 2  # the machine has 2 cores


def run() -> dict[str, Any]:
    debtors = int(os.environ.get("INCASSO_BENCH_DEBTORS", "20000"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    if "DATABASE_URL" not in env:
        env["INCASSO_VAR_DIR"] = tempfile.mkdtemp(prefix="incasso-bench-dailyrun-")
        _child(env, "prepare", str(debtors))
        return _child(env, "measure", "0")
    url = fresh_postgres_database(env["DATABASE_URL"], "_dailyrun")
    _child({**env, "DATABASE_URL": url}, "prepare", str(debtors))
    workers = _workers_wanted(env)
    if not workers:
        return _child({**env, "DATABASE_URL": url}, "measure", "0")
    copy = fresh_postgres_database(env["DATABASE_URL"], "_dailyrun_workers", template=url)
    in_process = _child({**env, "DATABASE_URL": url}, "measure", "0")
    figures = _child({**env, "DATABASE_URL": copy}, "measure", str(workers))
    figures["in_process"] = {
        key: in_process[key]
        for key in (
            "handled",
            "decided",
            "seconds",
            "cases_per_second",
            "cpu_seconds_python",
            "workers",
            "extrapolated_seconds_for_1m_cases",
            "load_average_1min",
            "steady_state",
        )
    }
    return figures


def _child(env: dict[str, str], *args: str) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - our own interpreter and module, no outside input
        [sys.executable, "-m", "bench.daily_run", *args], cwd=ROOT, env=env, capture_output=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"the daily-run benchmark failed:\n{out.stderr.decode()[-3000:]}")
    figures: dict[str, Any] = json.loads(out.stdout.decode().strip().splitlines()[-1])
    return figures


def _workers_wanted(env: dict[str, str]) -> int:
    """INCASSO_BENCH_WORKERS if given; else the issue's deployment when a broker answers, in-process otherwise."""
    if "INCASSO_BENCH_WORKERS" in env:
        return int(env["INCASSO_BENCH_WORKERS"])
    broker = env.get("CELERY_BROKER_URL", "")
    if not broker:
        return 0
    from kombu import Connection

    try:
        with Connection(broker, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception:  # any failure to reach the broker means: measure in-process
        return 0
    return DEFAULT_WORKERS


def _prepare(debtors: int) -> dict[str, Any]:
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    from incasso.demo.services import demo_create

    call_command("migrate", verbosity=0)
    demo_create(seed=1, debtors=debtors)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a database that has been in use has them
    return {"debtors": debtors}


def _measure(workers: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection

    from incasso.cases.models import Case
    from incasso.collection.daily_run import daily_run
    from incasso.demo.dataset import REFERENCE_DATE

    open_cases = Case.objects.exclude(stage="closed").count()
    connection.close()  # the workers and the run get their own connections
    with _workers(workers) as run_chunks:
        cpu_started = time.process_time()
        started = time.perf_counter()
        summary = daily_run(on=REFERENCE_DATE, run_chunks=run_chunks)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        second_started = time.perf_counter()
        second = daily_run(on=REFERENCE_DATE)  # in this process: it finds nothing to do
        second_elapsed = time.perf_counter() - second_started
        steady = _steady_state(open_cases, run_chunks)
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
        # This process only: with workers it is the coordinator's share, the chunks' CPU is the workers'.
        "cpu_seconds_python": round(cpu, 2),
        "same_day_rerun_seconds": round(second_elapsed, 2),
        "same_day_rerun_cases": second.cases,
        "workers": f"{workers} Celery workers (solo pool)" if workers else "in-process (one core)",
        "extrapolated_seconds_for_1m_cases": round(1_000_000 / rate),
        "load_average_1min": round(os.getloadavg()[0], 2),  # other work on the cores moves the figure
        "target": "1,000,000 open cases within 60 s",
        "scenario": "first run: day D, every open case due and evaluated in full",
        "steady_state": steady,
    }


def _steady_state(open_cases: int, run_chunks: Any) -> dict[str, Any]:
    """The days after the first run on the same data: D+1 alone, and the week D+1..D+7 (see the docstring)."""
    from datetime import timedelta

    from incasso.collection.daily_run import daily_run
    from incasso.demo.dataset import REFERENCE_DATE

    days = []
    for offset in range(1, 8):
        cpu_started = time.process_time()
        started = time.perf_counter()
        summary = daily_run(on=REFERENCE_DATE + timedelta(days=offset), run_chunks=run_chunks)
        days.append((summary, time.perf_counter() - started, time.process_time() - cpu_started))
    first, first_seconds, first_cpu = days[0]
    week_seconds = sum(seconds for _summary, seconds, _cpu in days) / len(days)
    return {
        "scenario": "the days after the first run: only cases whose next measure date has come are evaluated",
        "next_day": {
            "handled": first.cases,
            "decided": first.decided,
            "seconds": round(first_seconds, 2),
            "cpu_seconds_python": round(first_cpu, 2),
            "open_cases_per_second": round(open_cases / first_seconds),
        },
        "week": {
            "days": len(days),
            "handled_per_day": round(sum(summary.cases for summary, _s, _c in days) / len(days)),
            "handled_by_day": [summary.cases for summary, _s, _c in days],
            "seconds_per_day": round(week_seconds, 2),
            "open_cases_per_second": round(open_cases / week_seconds),
        },
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

    # A queue of its own, so no other worker on the broker takes a chunk (INCASSO_BENCH_QUEUE names its prefix).
    queue = f"{os.environ.get('INCASSO_BENCH_QUEUE', 'bench-daily-run')}-{os.getpid()}"
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
    step, argument = sys.argv[1], int(sys.argv[2])
    print(json.dumps(_prepare(argument) if step == "prepare" else _measure(argument)))
