"""Claim intake throughput: a generated CSV of N claims imported through ``incasso import-claims``.

N defaults to 1,000,000 (``INCASSO_BENCH_CLAIMS`` shrinks it). On PostgreSQL (``DATABASE_URL``) the import runs in
a fresh schema that is dropped afterwards, so repeated runs measure the same thing and leave nothing behind; on
the embedded default it runs in a fresh temporary SQLite database. Target (issue 3): at least 30,000 claims/s on
PostgreSQL with peak memory under 1 GB.

Besides the wall-clock rate (which other work on the machine disturbs) the CPU time of each part is reported per
claim: the importing (writing) process, the validating and sealing child process, and on PostgreSQL the server
process that serves the import's connection (read from ``/proc``, so only when the server runs on this machine).
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import resource
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.databases import scratch_schema_create, scratch_schema_drop

HEADER = [
    "factuurnummer",
    "factuurdatum",
    "vervaldatum",
    "bedrag",
    "omschrijving",
    "debiteurnummer",
    "soort_debiteur",
    "voornamen",
    "achternaam",
    "bedrijfsnaam",
    "straat",
    "huisnummer",
    "postcode",
    "plaats",
    "land",
    "e-mail",
    "iban",
    "kvk_nummer",
]
SURNAMES = ["de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos"]
GIVEN = ["Jan", "Anna", "Pieter", "Sophie", "Kees", "Fatima", "Mohamed", "Emma", "Daan", "Lotte"]
CITIES = ["Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Groningen", "Zwolle", "Leiden"]
# Postcode letters without S: "SA", "SD" and "SS" are not issued.
LETTERS = "ABCEGHJKLMNPRTVWXZ"


def _iban(number: int) -> str:
    """A valid Dutch IBAN (ISO 7064 mod 97-10 check digits) on a real bank code."""
    bban = f"ABNA{number:010d}"
    digits = "".join(str(int(char, 36)) for char in bban + "NL00")
    return f"NL{98 - int(digits) % 97:02d}{bban}"


def generate(path: Path, claims: int, seed: int = 1) -> None:
    """A Dutch-style export: ';'-separated, Dutch headers, about two invoices per debtor, one row in 1,000 bad."""
    rng = random.Random(seed)
    debtors = max(1, claims // 2)
    start = date(2025, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for number in range(claims):
            debtor = rng.randrange(debtors)
            company = debtor % 5 == 0
            invoice_date = start + timedelta(days=rng.randrange(600))
            postcode = f"{1000 + debtor % 9000} {LETTERS[debtor % 18]}{LETTERS[debtor // 18 % 18]}"
            bad = number % 1000 == 999
            writer.writerow(
                [
                    f"INV-{number:08d}",
                    invoice_date.isoformat(),
                    (invoice_date + timedelta(days=30)).isoformat(),
                    f"{rng.randrange(1_000, 2_500_000) / 100:.2f}" if not bad else "12.345",
                    "Levering volgens order",
                    f"D{debtor:08d}",
                    "bedrijf" if company else "particulier",
                    "" if company else GIVEN[debtor % 10],
                    "" if company else SURNAMES[debtor // 10 % 10],
                    f"Handelsonderneming {debtor} B.V." if company else "",
                    "Dorpsstraat",
                    str(debtor % 300 + 1),
                    postcode,
                    CITIES[debtor % 8],
                    "NL",
                    f"debiteur{debtor}@example.nl",
                    _iban(debtor),
                    f"{10_000_000 + debtor}" if company else "",
                ]
            )


def _backend_pid(connection: Any) -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _process_cpu(pid: int | None) -> float | None:
    """User plus system CPU seconds of a process on this machine, or None where it cannot be read."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(claims: int | None = None) -> dict[str, Any]:
    claims = claims or int(os.environ.get("INCASSO_BENCH_CLAIMS", "1000000"))
    workdir = Path(tempfile.mkdtemp(prefix="incasso-bench-intake-"))
    path = workdir / "claims.csv"
    started = time.perf_counter()
    generate(path, claims)
    generated = time.perf_counter() - started
    file_mb = round(path.stat().st_size / 1e6, 1)

    schema = scratch_schema_create("intake")
    from django.core.management import call_command
    from django.db import connection

    from incasso.parties.services import client_create

    try:
        call_command("migrate", verbosity=0)
        client = client_create(code="bench-intake", name="Benchmark Groothandel B.V.")
        output = io.StringIO()
        backend = _backend_pid(connection)
        backend_cpu = _process_cpu(backend)
        children_cpu = _children_cpu()
        started, cpu_started = time.perf_counter(), time.process_time()
        call_command("import-claims", "--client", client.code, str(path), stdout=output)
        elapsed, writer_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        child_cpu = _children_cpu() - children_cpu
        server_cpu = _process_cpu(backend) - backend_cpu if backend_cpu is not None else None
        summary = json.loads(output.getvalue())
    finally:
        scratch_schema_drop(schema)
        shutil.rmtree(workdir, ignore_errors=True)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # The validating child process (large files): its peak counts too, the two run side by side.
    child_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "benchmark": "intake",
        "database": connection.vendor,
        "claims": claims,
        "file_mb": file_mb,
        "created": summary["created"],
        "duplicates": summary["duplicates"],
        "rejected_rows": claims - summary["created"] - summary["duplicates"],
        "generate_seconds": round(generated, 2),
        "import_seconds": round(elapsed, 2),
        "claims_per_second": round(claims / elapsed),
        "peak_memory_mb": round((peak_kib + child_kib) / 1024),
        "peak_memory_mb_importer": round(peak_kib / 1024),
        "peak_memory_mb_validator": round(child_kib / 1024),
        "cpu_us_per_claim": {
            "importer": round(writer_cpu / claims * 1e6, 1),
            "validator": round(child_cpu / claims * 1e6, 1),
            "database_server": None if server_cpu is None else round(server_cpu / claims * 1e6, 1),
        },
        "targets": {"claims_per_second": 30_000, "peak_memory_mb": 1_024},
    }
