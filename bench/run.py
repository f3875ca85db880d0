"""Run the benchmarks and write each one's figures to bench/results/<name>.json (and print them)."""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def _benchmarks() -> dict[str, Callable[[], dict[str, Any]]]:
    from bench import (
        audit_cost,
        daily_run,
        demo,
        encryption,
        intake,
        letters,
        quote,
        retention,
        rights_export,
        statements,
    )

    return {
        "quote": quote.run,
        "demo": demo.run,
        "intake": intake.run,
        "letters": letters.run,
        "daily_run": daily_run.run,
        "statements": statements.run,
        "rights_export": rights_export.run,
        "retention": retention.run,
        "audit_cost": audit_cost.run,
        "encryption": encryption.run,
    }


def main(names: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    RESULTS.mkdir(parents=True, exist_ok=True)
    available = _benchmarks()
    for name in names or list(available):
        figures = available[name]()
        figures["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        figures["machine"] = {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "system": platform.platform(),
        }
        (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
