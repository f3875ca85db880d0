"""What the audit log costs a case read (issue 5, item 8): ``GET /api/v1/cases/{number}`` with and without it.

The same endpoint, the same case and the same API key, through Django's test client (no network), on a fresh
database (a PostgreSQL schema beside ``DATABASE_URL``'s, dropped afterwards, or a temporary SQLite file). "Without"
replaces the audit write of the read (``audit_record`` as ``incasso.accounts.access`` calls it) by a no-op, in
this benchmark only. The two variants alternate in rounds so that load from other processes falls on both alike;
the figure is the median per-request time of each. Target: the audit adds less than 25 %.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date
from typing import Any
from unittest import mock

from bench.databases import scratch_schema_create, scratch_schema_drop

ROUNDS = 10


def _case() -> tuple[str, str]:
    """A case with two claims of a client with an API key: (case number, key)."""
    from incasso.cases.models import Case, Claim
    from incasso.intake.services import api_key_create
    from incasso.parties.models import Debtor
    from incasso.parties.services import client_create

    client = client_create(code="bench-audit", name="Benchmark Audit B.V.")
    debtor = Debtor.objects.create(client=client, reference="D1", kind="consumer", surname="Jansen")
    case = Case.objects.create(
        client=client,
        debtor=debtor,
        number="2026-900001",
        stage="reminder",
        opened_on=date(2026, 8, 1),
        interest_kind="statutory",
    )
    for n, due in enumerate((date(2026, 6, 30), date(2026, 7, 31))):
        Claim.objects.create(
            case=case,
            client=client,
            invoice_number=f"INV-{n}",
            invoice_date=date(2026, 6, 1),
            due_date=due,
            principal_cents=125_000,
        )
    _key, secret = api_key_create(client=client, name="bench")
    return case.number, secret


def _timed(requests: int, path: str, auth: dict[str, str]) -> tuple[float, float]:
    """Seconds per request: wall clock, and this process's CPU (which load from other processes barely moves)."""
    from django.test import Client as TestClient

    browser = TestClient()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(requests):
        response = browser.get(path, **auth)  # type: ignore[arg-type]
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
    return (time.perf_counter() - started) / requests, (time.process_time() - cpu) / requests


def run(requests: int | None = None) -> dict[str, Any]:
    requests = requests or int(os.environ.get("INCASSO_BENCH_REQUESTS", "200"))
    schema = scratch_schema_create("audit")
    from django.core.management import call_command
    from django.db import connection

    from incasso.accounts import access
    from incasso.audit.models import AuditEvent

    try:
        call_command("migrate", verbosity=0)
        number, secret = _case()
        path, auth = f"/api/v1/cases/{number}", {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        _timed(20, path, auth)  # warm-up: imports, caches, the first connection
        audited: list[tuple[float, float]] = []
        bare: list[tuple[float, float]] = []
        before = AuditEvent.objects.count()
        for _ in range(ROUNDS):
            audited.append(_timed(requests // ROUNDS, path, auth))
            with mock.patch.object(access, "audit_record"):
                bare.append(_timed(requests // ROUNDS, path, auth))
        written = AuditEvent.objects.count() - before
    finally:
        scratch_schema_drop(schema)
    with_audit, without_audit = statistics.median(w for w, _ in audited), statistics.median(w for w, _ in bare)
    cpu_with, cpu_without = statistics.median(c for _, c in audited), statistics.median(c for _, c in bare)
    return {
        "benchmark": "audit_cost",
        "database": connection.vendor,
        "endpoint": "GET /api/v1/cases/{number} (API key, a case with two claims and its quote)",
        "requests_per_variant": requests // ROUNDS * ROUNDS,
        "audit_rows_written": written,
        "ms_per_request_with_audit": round(1000 * with_audit, 2),
        "ms_per_request_without_audit": round(1000 * without_audit, 2),
        "audit_overhead_percent": round(100 * (with_audit - without_audit) / without_audit, 1),
        # The benchmark process's CPU only (not the database server's): steadier than wall time on a busy machine.
        "cpu_ms_per_request_with_audit": round(1000 * cpu_with, 2),
        "cpu_ms_per_request_without_audit": round(1000 * cpu_without, 2),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "target_overhead_percent": 25,
    }
