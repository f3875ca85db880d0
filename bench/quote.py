"""How many quotes per second the legal core answers, on random realistic cases (no database involved)."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from typing import Any

from incasso.domain.interest import InterestKind, shipped_rate_tables
from incasso.domain.money import Money
from incasso.domain.quote import ClaimInput, CostsInput, PaymentInput, QuoteRequest, quote_calculate


def _random_request(rng: random.Random) -> QuoteRequest:
    as_of = date(2026, 11, 1)
    claims = tuple(
        ClaimInput(f"C{i}", Money(rng.randint(1_000, 5_000_000)), as_of - timedelta(days=rng.randint(30, 3_000)))
        for i in range(rng.randint(1, 5))
    )
    first_due = min(c.due_date for c in claims)
    span = (as_of - first_due).days
    payments = tuple(
        PaymentInput(first_due + timedelta(days=rng.randint(0, span)), Money(rng.randint(100, 200_000)))
        for _ in range(rng.randint(0, 6))
    )
    costs = CostsInput(first_due + timedelta(days=30)) if rng.random() < 0.7 else None
    kind = rng.choice([InterestKind.STATUTORY, InterestKind.COMMERCIAL])
    return QuoteRequest(kind, as_of, claims, payments, costs)


def run(count: int = 5_000) -> dict[str, Any]:
    rng = random.Random(42)
    requests = [_random_request(rng) for _ in range(count)]
    tables = shipped_rate_tables()
    started, cpu_started = time.perf_counter(), time.process_time()
    for request in requests:
        quote_calculate(request, tables)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "benchmark": "quote",
        "quotes": count,
        "seconds": round(elapsed, 3),
        "quotes_per_second": round(count / elapsed),
        # CPU time as well: on a shared machine the wall clock also counts other processes' turns.
        "cpu_seconds": round(cpu, 3),
        "quotes_per_cpu_second": round(count / cpu),
        "case_shape": "1-5 claims, 0-6 payments, up to 8 years of interest",
    }
