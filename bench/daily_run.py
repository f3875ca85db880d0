"""How fast the daily run handles open cases: the demo agency at scale, one run over every due case.

Demo cases (every stage, three clients with different instructions) on a fresh embedded (SQLite) database, or on
a fresh PostgreSQL database created beside DATABASE_URL's (named ``<name>_dailyrun``) so no data is touched.
Timed: the whole run — quotes, limitation, strategy decisions, moves, measures, tasks and queued letters.
Measured in a child process so it gets its own database and settings whichever benchmarks ran before it.
Size: INCASSO_BENCH_DEBTORS (default 20,000 debtors, about 19,000 open cases); the issue's target is 1,000,000
open cases within 60 seconds on 2 cores, and the figures below say how far off that is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
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
    started = time.perf_counter()
    summary = daily_run(on=REFERENCE_DATE)
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
        "workers": "in-process (one core)",
        "extrapolated_seconds_for_1m_cases": round(1_000_000 / rate),
        "target": "1,000,000 open cases within 60 s",
    }


if __name__ == "__main__":
    print(json.dumps(_measure(int(sys.argv[1]))))
