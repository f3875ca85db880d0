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
  The demo data get no payments or other events between these days (a quiet week: kept as it was measured).
- **Steady state with a trickle** (``steady_state.trickle_week``, measured after the quiet week, on D+8..D+14):
  before each day's run, about 1 % of the open cases change through the real services — two thirds get a payment
  (``payments_receive``, one bulk call; received that day, as a morning bank import books it, or the day before),
  one third a promise to pay that falls due the day before, which the day's run settles (``promise_record``, then
  ``arrangements_check`` inside the run). A changed case is due that day whatever its review date
  (``collection.due``), so these days exercise the wake-up path; ``woken_by_day`` is how many cases the run
  handled beyond those whose next measure date had come. A payment booked on a run day before the run is read by
  that run and wakes nobody the next day. The trickle itself is not timed.

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
            "cpu_seconds_all",
            "cpu_us_per_case_all",
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
        processes = _RunProcesses(readable=not workers)
        cpu_started = time.process_time()
        started = time.perf_counter()
        summary = daily_run(on=REFERENCE_DATE, run_chunks=run_chunks)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        all_cpu = processes.cpu_seconds()
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
        # The run's CPU in all its processes, this one and its database backend (None where they cannot be read:
        # a database on another machine, or workers, whose backends end with each chunk's connection). The issue's
        # 2 cores bound this figure, whatever else runs on the machine.
        "cpu_seconds_all": None if all_cpu is None else round(all_cpu, 2),
        "cpu_us_per_case_all": None if all_cpu is None or not summary.cases else round(all_cpu / summary.cases * 1e6),
        "same_day_rerun_seconds": round(second_elapsed, 2),
        "same_day_rerun_cases": second.cases,
        "workers": f"{workers} Celery workers (solo pool)" if workers else "in-process (one core)",
        "extrapolated_seconds_for_1m_cases": round(1_000_000 / rate),
        "load_average_1min": round(os.getloadavg()[0], 2),  # other work on the cores moves the figure
        "target": "1,000,000 open cases within 60 s",
        "scenario": "first run: day D, every open case due and evaluated in full",
        "steady_state": steady,
    }


class _RunProcesses:
    """The CPU time an in-process run takes on this machine: this process and the PostgreSQL backends serving the
    benchmark's database, from ``/proc`` (Linux, database on this machine). Not for a run on workers: a worker's
    connection, and its backend with the CPU it used, ends with each chunk."""

    def __init__(self, *, readable: bool) -> None:
        from django.db import connection

        self.started = self._read(self._pids()) if readable and connection.vendor == "postgresql" else None

    @staticmethod
    def _pids() -> list[int]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            backends = [pid for (pid,) in cursor.fetchall()]
        return [os.getpid(), *backends]

    @staticmethod
    def _read(pids: list[int]) -> dict[int, float] | None:
        ticks = os.sysconf("SC_CLK_TCK")
        used = {}
        try:
            for pid in pids:
                with open(f"/proc/{pid}/stat") as stat:
                    values = stat.read().rsplit(")", 1)[1].split()
                used[pid] = (int(values[11]) + int(values[12])) / ticks  # utime + stime
        except (OSError, IndexError, ValueError):
            return None
        return used

    def cpu_seconds(self) -> float | None:
        if self.started is None:
            return None
        ended = self._read(self._pids())
        if ended is None:
            return None
        return sum(seconds - self.started.get(pid, 0.0) for pid, seconds in ended.items())


def _steady_state(open_cases: int, run_chunks: Any) -> dict[str, Any]:
    """The days after the first run on the same data: D+1 alone, the week D+1..D+7 (see the docstring), and then
    the week D+8..D+14 with a trickle of changes between the days."""
    from datetime import timedelta

    from incasso.demo.dataset import REFERENCE_DATE

    days = [_day(REFERENCE_DATE + timedelta(days=offset), run_chunks) for offset in range(1, 8)]
    first = days[0]
    week_seconds = sum(day["seconds"] for day in days) / len(days)
    trickle = [
        _day(REFERENCE_DATE + timedelta(days=offset), run_chunks, trickle_share=TRICKLE_SHARE)
        for offset in range(8, 15)
    ]
    trickle_seconds = sum(day["seconds"] for day in trickle) / len(trickle)
    return {
        "scenario": "the days after the first run: only cases whose next measure date has come are evaluated",
        "next_day": {
            "handled": first["handled"],
            "decided": first["decided"],
            "seconds": round(first["seconds"], 2),
            "cpu_seconds_python": round(first["cpu"], 2),
            "open_cases_per_second": round(open_cases / first["seconds"]),
        },
        "week": {
            "days": len(days),
            "handled_per_day": round(sum(day["handled"] for day in days) / len(days)),
            "handled_by_day": [day["handled"] for day in days],
            "seconds_per_day": round(week_seconds, 2),
            "open_cases_per_second": round(open_cases / week_seconds),
        },
        "trickle_week": {
            "scenario": (
                "D+8..D+14 after the quiet week: before each run about 1 % of the open cases get a payment (2/3) "
                "or a promise that the run settles (1/3), through the real services; the trickle is not timed"
            ),
            "days": len(trickle),
            "changed_by_day": [day["changed"] for day in trickle],
            "handled_by_day": [day["handled"] for day in trickle],
            "due_by_date_by_day": [day["due_by_date"] for day in trickle],
            "woken_by_day": [day["handled"] - day["due_by_date"] for day in trickle],
            "seconds_per_day": round(trickle_seconds, 2),
            "cpu_seconds_python_per_day": round(sum(day["cpu"] for day in trickle) / len(trickle), 2),
            "open_cases_per_second": round(open_cases / trickle_seconds),
        },
    }


TRICKLE_SHARE = 0.01  # of the open cases, changed before each day's run in the trickle week
TRICKLE_SEED = 7


def _day(on: Any, run_chunks: Any, trickle_share: float = 0.0) -> dict[str, Any]:
    """One day's run, timed; with a trickle, the changes are made first (not timed) and the cases due by their
    date alone counted, so the ones woken by a change can be told apart."""
    from django.db.models import Q

    from incasso.cases.models import Case
    from incasso.collection.daily_run import daily_run

    changed, due_by_date = 0, 0
    if trickle_share:  # the quiet days stay measured as they always were: nothing read before the run
        changed = _trickle(on, trickle_share)
        due_by_date = (
            Case.objects.exclude(stage="closed")
            .filter(Q(last_run_on__isnull=True) | Q(last_run_on__lt=on))
            .filter(Q(next_measure_on__isnull=True) | Q(next_measure_on__lte=on))
            .count()
        )
    cpu_started = time.process_time()
    started = time.perf_counter()
    summary = daily_run(on=on, run_chunks=run_chunks)
    return {
        "handled": summary.cases,
        "decided": summary.decided,
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu_started,
        "changed": changed,
        "due_by_date": due_by_date,
    }


def _trickle(on: Any, share: float) -> int:
    """Before the run of ``on``: a payment received that day or the day before on two thirds of a random
    ``share`` of the open cases, and on the rest a promise made and due the day before, which the run of ``on``
    settles. Through the services the app uses (a bank import books payments with ``payments_receive``)."""
    import random
    from datetime import timedelta

    from incasso.arrangements.services import promise_record
    from incasso.cases.models import Case
    from incasso.domain.money import Money
    from incasso.ledger.services import PaymentToReceive, payments_receive

    rng = random.Random(f"{TRICKLE_SEED}-{on}")  # bench data, not a secret
    open_ids = list(Case.objects.exclude(stage="closed").order_by("pk").values_list("pk", flat=True))
    chosen = rng.sample(open_ids, max(1, round(len(open_ids) * share)))
    promising = chosen[: len(chosen) // 3]
    paying = chosen[len(chosen) // 3 :]
    yesterday = on - timedelta(days=1)
    payments_receive(
        payments=[
            PaymentToReceive(
                case_id,
                Money(rng.choice([2_500, 5_000, 10_000])),
                rng.choice([yesterday, on]),  # the morning's bank import books today's payments before the run
                f"trickle-{on}-{case_id}",
                "bank",
            )
            for case_id in paying
        ]
    )
    for case in Case.objects.filter(pk__in=promising):
        promise_record(case=case, amount=Money(5_000), due_on=yesterday, on=yesterday)
    return len(chosen)


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
