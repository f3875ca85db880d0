"""How fast a night's letters render: one print batch of N letters through ``print_batch_render``.

Demo cases on a fresh embedded (SQLite) database, or a fresh one beside DATABASE_URL's. Consumers get a 14-day
letter, businesses a demand letter, one in five in English, so the batch mixes four templates. Timed: everything
the service does (reading cases and claims, the quotes, one Typst compile, the PDF and manifest files, and the bulk
writes).
Target (issue 3): at least 1,000 letters/s on 2 cores.

Measured in a child process of its own, so it gets a fresh database and settings whichever benchmarks ran
before it in ``make bench``.
"""

from __future__ import annotations

import datetime
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.databases import fresh_postgres_database

ROOT = Path(__file__).resolve().parent.parent


def run(letters: int = 2_000) -> dict[str, Any]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    if "DATABASE_URL" in env:  # a database of its own: the demo needs an empty one
        env["DATABASE_URL"] = fresh_postgres_database(env["DATABASE_URL"], "_letters")
    out = subprocess.run(  # noqa: S603 - our own interpreter and module, no outside input
        [sys.executable, "-m", "bench.letters", str(letters)], cwd=ROOT, env=env, capture_output=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"the letters benchmark failed:\n{out.stderr.decode()[-3000:]}")
    figures: dict[str, Any] = json.loads(out.stdout.decode().strip().splitlines()[-1])
    return figures


def _measure(letters: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    workdir = tempfile.mkdtemp(prefix="incasso-bench-letters-")
    if "DATABASE_URL" not in os.environ:
        os.environ["INCASSO_VAR_DIR"] = workdir
    os.environ["INCASSO_MEDIA_DIR"] = str(Path(workdir) / "media")
    import django
    from django.core.management import call_command

    django.setup()
    from django.conf import settings
    from django.db import connection

    from incasso.cases.models import Case
    from incasso.communications.models import Letter, LetterStatus
    from incasso.communications.services import LetterRequest, letters_queue_bulk, print_batch_render
    from incasso.demo.dataset import REFERENCE_DATE
    from incasso.demo.services import demo_create
    from incasso.domain.case_stages import Stage
    from incasso.parties.models import DebtorKind

    call_command("migrate", verbosity=0)
    demo_create(seed=1, debtors=letters + letters // 3)  # some demo cases are closed: enough open ones
    on = REFERENCE_DATE + datetime.timedelta(days=1)
    cases = list(
        Case.objects.exclude(stage=Stage.CLOSED.value).order_by("pk").values_list("pk", "debtor__kind")[:letters]
    )
    requests = [
        LetterRequest(
            case_id=pk,
            kind="fourteen_day_letter" if kind == DebtorKind.CONSUMER else "demand_letter",
            language="en" if i % 5 == 0 else "nl",
        )
        for i, (pk, kind) in enumerate(cases)
    ]
    letters_queue_bulk(requests=requests, on=on)

    gc.collect()  # start from a clean heap, as the nightly job does, not from the demo loader's garbage
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    batch = print_batch_render(on=on)
    elapsed = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before

    if batch is None:
        raise RuntimeError("nothing was rendered")
    pdf = Path(settings.INCASSO_MEDIA_DIR) / batch.pdf_path
    return {
        "benchmark": "letters",
        "database": connection.vendor,
        "letters": batch.letter_count,
        "failed": Letter.objects.filter(status=LetterStatus.FAILED).count(),
        "pdf_megabytes": round(pdf.stat().st_size / 1_000_000, 1),
        "seconds": round(elapsed, 3),
        "letters_per_second": round(batch.letter_count / elapsed),
        # CPU time of the render (all threads, Typst's included): what the batch costs whatever else runs.
        "cpu_seconds": round(cpu, 3),
        "letters_per_cpu_second": round(batch.letter_count / cpu),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "target_letters_per_second": 1_000,
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    print(json.dumps(_measure(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000)))
