"""How fast one person's access export is built among many debtors (issue 6: 1,000,000 debtors, within 2 s on
PostgreSQL).

The table is filled by COPY (``core.bulk_insert.rows_insert``): filler debtors of one client, each with one case
(a stand-in ciphertext and no data key: a filler is never read), plus one person with
cases, claims, decisions, letters, audit events and a disclosure. Timed: the export document (every declared model
walked, one query each) and its JSON and CSV forms; the query count is reported, and must not depend on the size.
On PostgreSQL a fresh database ``<name>_rights`` beside DATABASE_URL's; else a fresh embedded SQLite database.
Size: INCASSO_BENCH_RIGHTS_DEBTORS (default 1,000,000).
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.databases import fresh_postgres_database

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 50_000


def run() -> dict[str, Any]:
    debtors = int(os.environ.get("INCASSO_BENCH_RIGHTS_DEBTORS", "1000000"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    if "DATABASE_URL" in env:
        env["DATABASE_URL"] = fresh_postgres_database(env["DATABASE_URL"], "_rights")
    else:
        env["INCASSO_VAR_DIR"] = tempfile.mkdtemp(prefix="incasso-bench-rights-")
    out = subprocess.run(  # noqa: S603 - our own interpreter and module, no outside input
        [sys.executable, "-m", "bench.rights_export", str(debtors)], cwd=ROOT, env=env, capture_output=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"the rights export benchmark failed:\n{out.stderr.decode()[-3000:]}")
    figures: dict[str, Any] = json.loads(out.stdout.decode().strip().splitlines()[-1])
    return figures


def _fill(debtors: int) -> None:
    """``debtors`` filler debtors with a case each, by COPY in chunks."""
    from django.db import transaction
    from django.utils import timezone

    from incasso.cases.models import Case
    from incasso.core.bulk_insert import rows_insert
    from incasso.parties.models import Client, Debtor

    client = Client.objects.create(code="bench-filler", name="Filler BV")
    names = ["client_id", "reference", "kind", "surname"]
    now = timezone.now()
    opened = datetime.date(2026, 1, 5)
    for start in range(0, debtors, CHUNK):
        count = min(CHUNK, debtors - start)
        with transaction.atomic():
            ids = rows_insert(
                Debtor,
                names,
                # A stand-in for a sealed surname, without a data key: fillers only make the tables large.
                [(client.pk, f"F{start + n}", "consumer", "sealed-filler") for n in range(count)],
            )
            rows_insert(
                Case,
                ["client_id", "debtor_id", "number", "stage", "opened_on", "interest_kind", "created_at"],
                [(client.pk, pk, f"B-{pk:09d}", "reminder", opened, "statutory", now) for pk in ids],
                returning=False,
            )


def _person() -> Any:
    """The one person asked about: several cases, claims, decisions, letters and audit events."""
    from django.db import transaction

    from incasso.audit.models import AuditAction
    from incasso.audit.services import audit_record
    from incasso.cases.models import Case, Claim
    from incasso.domain.data_map import ProcessingPurpose
    from incasso.parties.models import Client, Debtor
    from incasso.rights.models import RequestChannel, RequestKind
    from incasso.rights.services import Requester, request_verify_portal, requests_receive

    client = Client.objects.create(code="bench-energy", name="Energie BV")
    person = Debtor.objects.create(
        client=client,
        reference="P-1",
        kind="consumer",
        given_names="Jan",
        surname="Jansen",
        street="Dorpsstraat",
        house_number="1",
        postcode="1234 AB",
        city="Utrecht",
        email="jan@example.nl",
        iban="NL91ABNA0417164300",
    )
    for n in range(3):
        case = Case.objects.create(
            client=client,
            debtor=person,
            number=f"P-{n:06d}",
            stage="reminder",
            opened_on=datetime.date(2026, 1, 5),
            interest_kind="statutory",
        )
        for m in range(3):
            Claim.objects.create(
                case=case,
                client=client,
                invoice_number=f"INV-{n}-{m}",
                invoice_date=datetime.date(2025, 11, 1),
                due_date=datetime.date(2025, 12, 1),
                principal_cents=12_500,
                description="Energie",
            )
        with transaction.atomic():
            for _ in range(5):
                audit_record(
                    actor="bench",
                    action=AuditAction.READ,
                    subject=person,
                    fields=["parties.Debtor.surname"],
                    purpose=ProcessingPurpose.DEBT_COLLECTION,
                    source="bench",
                )
    (request,) = requests_receive(
        kind=RequestKind.ACCESS,
        channel=RequestChannel.PORTAL,
        requester=Requester(name="Jan Jansen"),
        actor="bench",
        debtors=[person],
    )
    return request_verify_portal(request=request, actor="bench")


def _measure(debtors: int) -> dict[str, Any]:
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incasso.rights.export import export_document
    from incasso.rights.export_formats import export_csv, export_json

    call_command("migrate", verbosity=0)
    fill_started = time.perf_counter()
    _fill(debtors)
    fill_seconds = time.perf_counter() - fill_started
    request = _person()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    export_document(request=request)  # warm: imports, the data map walk, the register
    timings = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            document = export_document(request=request)
            export_json(document)
            export_csv(document)
            timings.append(time.perf_counter() - started)
    return {
        "benchmark": "rights_export",
        "database": connection.vendor,
        "debtors": debtors + 1,
        "fill_seconds": round(fill_seconds, 1),
        "records_exported": len(document["records"]),
        "queries": len(queries.captured_queries),
        "seconds_best": round(min(timings), 3),
        "seconds_worst": round(max(timings), 3),
        "target": "one person's export within 2 s among 1,000,000 debtors (PostgreSQL)",
    }


if __name__ == "__main__":
    print(json.dumps(_measure(int(sys.argv[1]))))
