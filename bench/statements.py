"""Bank statement throughput: a generated camt.053 of N entries imported, matched and booked (issue 4, item 8).

N defaults to 100,000 (``INCASSO_BENCH_ENTRIES`` shrinks it). Half the entries pay a real case of the bench
database — a quarter by RF reference, a quarter by case number in the description — and half match nothing and
go to the unmatched queue, so every entry is booked in the ledger. On PostgreSQL (``DATABASE_URL``) the run uses
a fresh schema that is dropped afterwards; on the embedded default a fresh temporary SQLite database.

Besides the total, the figures split the time: reading the file alone, and the time spent inside the ledger's
services, per service (each chunk books its payments with one ``payments_receive`` call and its unmatched
receipts with one ``unmatched_receive_bulk`` call). Target (issue 4): the whole import within 10 seconds on
PostgreSQL on a 2-core machine.

``cpu_seconds`` splits the import's processor time, which a busy machine disturbs less than the wall clock: this
process, the reader process the import forks (the parse), and the PostgreSQL backend serving the import
(from ``/proc``, so only for a server on this machine; else null).
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from bench.databases import scratch_schema_create, scratch_schema_drop

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
CLAIM_CENTS = 25_000
CLAIM_COLUMNS = (
    "case_id",
    "client_id",
    "invoice_number",
    "invoice_date",
    "due_date",
    "principal_cents",
    "currency",
    "created_at",
)


def _iban(bank: str, number: int) -> str:
    bban = f"{bank}{number:010d}"
    digits = "".join(str(int(char, 36)) for char in bban + "NL00")
    return f"NL{98 - int(digits) % 97:02d}{bban}"


def _case_number(sequence: int) -> str:
    return f"2026-{sequence + 1:06d}"


def generate(path: Path, entries: int, seed: int = 1) -> None:
    """A camt.053.001.02 day statement, written as a stream like a bank's export."""
    from incasso.domain.payment_reference import rf_for_case

    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{NS}"><BkToCstmrStmt>'
            "<GrpHdr><MsgId>BENCH-1</MsgId><CreDtTm>2026-10-05T18:00:00</CreDtTm></GrpHdr>"
            "<Stmt><Id>BENCH-2026-10-05</Id><CreDtTm>2026-10-05T18:00:00</CreDtTm>"
            "<Acct><Id><IBAN>NL20INGB0001234567</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"
        )
        for number in range(entries):
            pays_case = number % 2 == 0
            case = number // 2
            iban = _iban("ABNA", case) if pays_case else _iban("RABO", number)
            if number % 4 == 0:
                remittance = f"<Strd><CdtrRefInf><Ref>{rf_for_case(_case_number(case))}</Ref></CdtrRefInf></Strd>"
            elif number % 4 == 2:
                remittance = f"<Ustrd>Betaling dossier {_case_number(case)}</Ustrd>"
            else:
                remittance = f"<Ustrd>Factuur {rng.randrange(10**8)} klant {number}</Ustrd>"
            amount = f"{rng.randrange(1_000, CLAIM_CENTS) / 100:.2f}"
            out.write(
                f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
                "<BookgDt><Dt>2026-10-05</Dt></BookgDt><ValDt><Dt>2026-10-05</Dt></ValDt>"
                f"<AcctSvcrRef>BENCH{number:09d}</AcctSvcrRef><NtryDtls><TxDtls><Refs>"
                f"<EndToEndId>E2E-{number}</EndToEndId></Refs><RltdPties><Dbtr><Nm>Debiteur {number}</Nm></Dbtr>"
                f"<DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></RltdPties><RmtInf>{remittance}</RmtInf>"
                "</TxDtls></NtryDtls></Ntry>\n"
            )
        out.write("</Stmt></BkToCstmrStmt></Document>\n")


def _cases_create(count: int) -> None:
    """``count`` open cases of one client, each with one claim and a debtor with its own IBAN (set-based)."""
    from django.utils import timezone

    from incasso.cases.models import Case, Claim
    from incasso.core.bulk_insert import rows_insert
    from incasso.parties.models import Debtor
    from incasso.parties.services import client_create

    client = client_create(code="bench-statements", name="Benchmark Energie B.V.")
    now = timezone.now()
    # Debtors hold encrypted personal data (a data key each, sealed fields, blind indexes): bulk_create runs the
    # fields' own sealing, which a raw COPY would skip. Preparation, not timed.
    debtors = Debtor.objects.bulk_create(
        [
            Debtor(
                client=client, reference=f"D{n:08d}", kind="consumer", surname=f"Debiteur {n}", iban=_iban("ABNA", n)
            )
            for n in range(count)
        ],
        batch_size=2_000,
    )
    debtor_ids = [debtor.pk for debtor in debtors]
    case_ids = rows_insert(
        Case,
        ("client_id", "debtor_id", "number", "stage", "opened_on", "interest_kind", "created_at"),
        [
            (client.pk, debtor_id, _case_number(n), "reminder", date(2026, 8, 1), "statutory", now)
            for n, debtor_id in enumerate(debtor_ids)
        ],
    )
    due = date(2026, 7, 31)
    rows_insert(
        Claim,
        CLAIM_COLUMNS,
        [
            (case_id, client.pk, f"INV-{n:08d}", due - timedelta(days=30), due, CLAIM_CENTS, "EUR", now)
            for n, case_id in enumerate(case_ids)
        ],
        returning=False,
    )


class _TimedLedger:
    """The real ledger, with the time spent in each of its services added up."""

    def __init__(self, ledger: Any) -> None:
        self._ledger = ledger
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        service = getattr(self._ledger, name)

        def timed(**kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return service(**kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
                self.calls[name] = self.calls.get(name, 0) + 1

        return timed

    def figures(self) -> dict[str, Any]:
        return {
            name: {"calls": calls, "ms_per_call": round(1000 * self.seconds[name] / calls, 2)}
            for name, calls in self.calls.items()
        }


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return int(pid)


def _cpu_seconds(backend: int | None) -> dict[str, float | None]:
    """Processor seconds so far: this process, its reaped children (the reader), the database backend."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    database = None
    if backend is not None:
        try:
            fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
            database = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:  # a server on another machine
            database = None
    return {
        "process": own.ru_utime + own.ru_stime,
        "reader_process": children.ru_utime + children.ru_stime,
        "database_backend": database,
    }


def _spent(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else round(after - before, 2)


def run(entries: int | None = None) -> dict[str, Any]:
    entries = entries or int(os.environ.get("INCASSO_BENCH_ENTRIES", "100000"))
    schema = scratch_schema_create("statements")
    from django.core.management import call_command
    from django.db import connection

    from incasso.payments import booking
    from incasso.payments.parsers import statement_reader
    from incasso.payments.services import statement_import

    workdir = Path(tempfile.mkdtemp(prefix="incasso-bench-statements-"))
    path = workdir / "camt053.xml"
    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        generate(path, entries)
        _cases_create((entries + 1) // 2)
        prepared = time.perf_counter() - started

        started = time.perf_counter()
        with path.open("rb") as stream:
            read = sum(1 for _ in statement_reader(stream))
        parse_seconds = time.perf_counter() - started

        timed = _TimedLedger(booking.ledger())
        with mock.patch.object(booking, "ledger", return_value=timed):
            backend = _backend_pid()
            cpu_before = _cpu_seconds(backend)
            started = time.perf_counter()
            with path.open("rb") as stream:
                summary = statement_import(stream=stream, filename=path.name)
            elapsed = time.perf_counter() - started
            cpu = {name: _spent(after, cpu_before[name]) for name, after in _cpu_seconds(backend).items()}
        file_mb = round(path.stat().st_size / 1e6, 1)
    finally:
        scratch_schema_drop(schema)
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "benchmark": "statements",
        "database": connection.vendor,
        "entries": entries,
        "read": read,
        "file_mb": file_mb,
        "matched": summary.matched,
        "unmatched": summary.unmatched,
        "duplicates": summary.duplicates,
        "skipped": summary.skipped_count,
        "prepare_seconds": round(prepared, 2),
        "parse_only_seconds": round(parse_seconds, 2),
        "import_seconds": round(elapsed, 2),
        "ledger_calls": sum(timed.calls.values()),
        "ledger_seconds": round(sum(timed.seconds.values()), 2),
        "ledger_services": timed.figures(),
        "import_seconds_outside_ledger": round(elapsed - sum(timed.seconds.values()), 2),
        "entries_per_second": round(entries / elapsed),
        "cpu_seconds": cpu,
        "targets": {"import_seconds": 10},
    }
