"""The retention sweep over expired records (issue 5, item 8): N debtors whose only case closed long ago.

Each subject is a debtor (personal data sealed under its own data key, as the intake writes it) with one case
closed in 2015 and one claim, so every one of them is past the debt-collection retention period and is swept.
Timed: ``retention_sweep`` for the debt-collection purpose (selecting the expired subjects, reading each one's
region, anonymising the debtors and their cases' rows, destroying their data keys, recording each in the audit
log), as ``incasso retention sweep`` runs it (on PostgreSQL reading each next chunk while writing two at a time,
on two connections).
N is ``INCASSO_BENCH_SUBJECTS`` (default 1,000,000, the issue's figure); on PostgreSQL a fresh schema beside
``DATABASE_URL``'s is used and dropped afterwards. Besides wall time, the CPU per subject of this process and (on a
local server) of PostgreSQL's processes serving the database: the figures to compare on a shared machine. Target:
1,000,000 expired records within 60 seconds.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from bench.databases import scratch_schema_create, scratch_schema_drop

CLOSED_ON = date(2015, 6, 30)
CASE_COLUMNS = (
    "client_id",
    "debtor_id",
    "number",
    "stage",
    "opened_on",
    "closed_on",
    "closed_reason",
    "interest_kind",
    "created_at",
)
CLAIM_COLUMNS = (
    "case_id",
    "client_id",
    "invoice_number",
    "invoice_date",
    "due_date",
    "principal_cents",
    "currency",
    "description",
    "created_at",
)
AS_OF = date(2026, 11, 1)
BATCH = 20_000


def _subjects_create(count: int) -> None:
    """``count`` debtors of one client, each with one case closed in 2015 and one claim, written in batches."""
    from django.db import transaction
    from django.utils import timezone

    from incasso.cases.models import Case, Claim
    from incasso.core.bulk_insert import rows_insert
    from incasso.crypto.bulk import key_ids_stored
    from incasso.crypto.services import data_keys_store
    from incasso.parties.models import Debtor
    from incasso.parties.sealing import INDEX_COLUMNS, SEALED_FIELDS, debtors_sealer
    from incasso.parties.services import client_create

    client = client_create(code="bench-retention", name="Benchmark Retentie B.V.")
    now = timezone.now()
    # As the intake writes debtors: each sealed under a data key of its own by the bulk sealer.
    sealer = debtors_sealer(SEALED_FIELDS)
    given = {"surname": SEALED_FIELDS.index("surname"), "postcode": SEALED_FIELDS.index("postcode")}
    city = SEALED_FIELDS.index("city")
    columns = (
        "client_id",
        "reference",
        "kind",
        "created_at",
        *SEALED_FIELDS,
        *INDEX_COLUMNS,
        "data_key_id",
        "postcode_region",
    )
    for start in range(0, count, BATCH):
        numbers = range(start, min(count, start + BATCH))
        with transaction.atomic():
            plain = []
            for n in numbers:
                values = [""] * len(SEALED_FIELDS)
                values[given["surname"]], values[given["postcode"]], values[city] = f"Jansen {n}", "1234AB", "Utrecht"
                plain.append(values)
            subjects = sealer.seal(plain)
            data_keys_store(
                subject_type=sealer.subject_type,
                master_version=sealer.master_version,
                keys=[(subject.key_id, subject.wrapped_key) for subject in subjects],
            )
            key_ids = key_ids_stored(subject.key_id for subject in subjects)
            rows = [
                (client.pk, f"R{n:08d}", "consumer", now, *subject.sealed, *subject.indexes, key_id, "12")
                for n, subject, key_id in zip(numbers, subjects, key_ids, strict=True)
            ]
            debtor_ids = rows_insert(Debtor, columns, rows)
            case_ids = rows_insert(
                Case,
                CASE_COLUMNS,
                [
                    (
                        client.pk,
                        debtor_id,
                        f"2014-{n:07d}",
                        "closed",
                        date(2014, 1, 1),
                        CLOSED_ON,
                        "paid",
                        "statutory",
                        now,
                    )
                    for n, debtor_id in zip(numbers, debtor_ids, strict=True)
                ],
            )
            rows_insert(
                Claim,
                CLAIM_COLUMNS,
                [
                    (
                        case_id,
                        client.pk,
                        f"INV-{n:08d}",
                        date(2013, 11, 1),
                        date(2013, 12, 1),
                        10_000,
                        "EUR",
                        f"Levering aan Jansen {n}",
                        now,
                    )
                    for n, case_id in zip(numbers, case_ids, strict=True)
                ],
                returning=False,
            )


@contextmanager
def database_cpu() -> Iterator[dict[str, float]]:
    """The CPU seconds (user + system) PostgreSQL's processes serving this database spent inside the block, under
    ``"seconds"`` once it ends: the sweep's connections and any autovacuum worker on its tables. Sampled from
    ``/proc`` every 50 ms while the block runs (a backend that exits between samples loses at most its last 50 ms);
    ``"seconds"`` stays absent where the server's processes cannot be read (SQLite, another host or user)."""
    from django.db import connections

    figures: dict[str, float] = {}
    latest: dict[int, float] = {}  # pid -> CPU seconds at its last sample
    start: dict[int, float] = {}  # pid -> CPU seconds when first seen (0 for a process started inside the block)
    tick = os.sysconf("SC_CLK_TCK")
    done = threading.Event()

    def cpu_seconds(pid: int) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / tick  # utime, stime

    def sample(first: bool) -> None:
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            pids = [pid for (pid,) in cursor.fetchall()]
        for pid in pids:
            seconds = cpu_seconds(pid)
            if seconds is None:
                continue
            start.setdefault(pid, seconds if first else 0.0)
            latest[pid] = seconds

    def watch() -> None:
        try:
            sample(first=True)
            while not done.wait(0.05):
                sample(first=False)
        finally:
            connections.close_all()

    local = False
    if connections["default"].vendor == "postgresql":
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT inet_server_addr()")
            (address,) = cursor.fetchone()
        local = address is None or str(address) in ("127.0.0.1", "::1")
    watcher = threading.Thread(target=watch, name="database-cpu", daemon=True)
    if local:
        watcher.start()
    try:
        yield figures
    finally:
        if local:
            done.set()
            watcher.join()
            if latest:  # none read: the server's processes are not ours to see
                figures["seconds"] = sum(latest[pid] - start[pid] for pid in latest)


def run(subjects: int | None = None) -> dict[str, Any]:
    subjects = subjects or int(os.environ.get("INCASSO_BENCH_SUBJECTS", "1000000"))
    schema = scratch_schema_create("retention")
    from django.core.management import call_command
    from django.db import connection

    from incasso.domain.data_map import ProcessingPurpose
    from incasso.privacy.retention.sweep import retention_sweep

    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        _subjects_create(subjects)
        prepared = time.perf_counter() - started
        with database_cpu() as database:
            started, cpu_started = time.perf_counter(), time.process_time()
            result = retention_sweep(as_of=AS_OF, purposes=[ProcessingPurpose.DEBT_COLLECTION.value])
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        scratch_schema_drop(schema)
    removed = result.counts[ProcessingPurpose.DEBT_COLLECTION.value]["removed"]
    return {
        "benchmark": "retention",
        "database": connection.vendor,
        "expired_subjects": subjects,
        "rows_per_subject": "a debtor, a closed case, a claim, a data key (destroyed); one anonymised-subject row and "
        "one audit entry written",
        "anonymised": removed,
        "prepare_seconds": round(prepared, 1),
        "sweep_seconds": round(elapsed, 2),
        "subjects_per_second": round(removed / elapsed),
        # This process's CPU (all its threads; the database's is not counted): steadier than wall time on a shared
        # machine.
        "python_cpu_microseconds_per_subject": round(1_000_000 * cpu / max(removed, 1)),
        # PostgreSQL's CPU for the sweep (its backends and autovacuum on this database), where it can be read.
        **(
            {"database_cpu_microseconds_per_subject": round(1_000_000 * database["seconds"] / max(removed, 1))}
            if "seconds" in database
            else {}
        ),
        "extrapolated_seconds_for_1m_subjects": round(1_000_000 * elapsed / max(removed, 1)),
        "target": "1,000,000 expired records within 60 s",
    }
