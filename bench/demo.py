"""How long the demo agency takes to generate, on a fresh embedded (SQLite) database or on DATABASE_URL."""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any


def run(debtors: int = 1_200) -> dict[str, Any]:
    if "DATABASE_URL" not in os.environ:
        os.environ["INCASSO_VAR_DIR"] = tempfile.mkdtemp(prefix="incasso-bench-")
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    from incasso.cases.models import Case, Claim
    from incasso.demo.services import demo_create

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    demo_create(seed=1, debtors=debtors)
    elapsed = time.perf_counter() - started
    return {
        "benchmark": "demo",
        "database": connection.vendor,
        "debtors": debtors,
        "cases": Case.objects.count(),
        "claims": Claim.objects.count(),
        "seconds": round(elapsed, 3),
    }
