"""``incasso strategy list | load FILE --strategy CODE | backtest --strategy CODE [--version N] [--from D] [--to D]``.

Answers are JSON on standard output. Bad input (an unknown strategy or version, an unreadable file, an invalid
document, a malformed date) exits with status 2 and ``{"error", "message"}`` (plus ``path`` for an invalid
strategy document) — never a traceback.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser

from incasso.decisions.selectors import StrategyNotFound, strategy_backtest, strategy_overview, strategy_version_get
from incasso.decisions.services import strategy_version_create
from incasso.domain.strategy import StrategyError

ACTOR = "strategy command"  # the audit chain's name for who loaded a version from the command line


class Command(BaseCommand):
    help = "List strategies, load a new draft version from a JSON file, or backtest a version on past decisions."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="every strategy with its versions")
        load = actions.add_parser("load", help="store a JSON strategy document as a new draft version")
        load.add_argument("file")
        load.add_argument("--strategy", required=True, help="strategy code, e.g. standard")
        load.add_argument("--notes", default="", help="what changed and why")
        backtest = actions.add_parser("backtest", help="replay stored decisions through a version")
        backtest.add_argument("--strategy", required=True)
        backtest.add_argument("--version", type=int, help="default: the newest draft, else the active version")
        backtest.add_argument("--from", dest="date_from", help="first day (YYYY-MM-DD)")
        backtest.add_argument("--to", dest="date_to", help="last day (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._print(strategy_overview())
        elif options["action"] == "load":
            self._load(options)
        else:
            self._backtest(options)

    def _load(self, options: dict[str, Any]) -> None:
        name = options["file"]
        try:
            document = json.loads(Path(name).read_bytes())
        except OSError as exc:
            self._fail("unreadable_file", f"cannot read {name}: {exc.strerror}")
        except ValueError as exc:
            self._fail("invalid_json", f"{name} is not JSON: {exc}")
        try:
            version = strategy_version_create(
                strategy_code=options["strategy"], document=document, notes=options["notes"], created_by=ACTOR
            )
        except StrategyError as error:
            self._fail("invalid_strategy", error.message, path=error.path)
        except ValidationError as error:
            self._fail("invalid_strategy_code", " ".join(error.messages), path="--strategy")
        self._print({"strategy": version.strategy.code, "version": version.version, "status": version.status})

    def _backtest(self, options: dict[str, Any]) -> None:
        date_from = self._date(options["date_from"], "--from")
        date_to = self._date(options["date_to"], "--to")
        try:
            version = strategy_version_get(strategy_code=options["strategy"], version=options["version"])
        except StrategyNotFound as exc:
            self._fail("unknown_strategy", str(exc))
        try:
            report = strategy_backtest(version=version, date_from=date_from, date_to=date_to)
        except StrategyError as error:
            self._fail("invalid_strategy", error.message, path=error.path)
        self._print(report)

    def _date(self, text: str | None, option: str) -> date | None:
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self._fail("invalid_date", f"{option} must be a date such as 2026-12-31, not {text!r}")

    def _print(self, value: object) -> None:
        self.stdout.write(json.dumps(value, indent=2, ensure_ascii=False))

    def _fail(self, error: str, message: str, **extra: str) -> NoReturn:
        self.stdout.write(json.dumps({"error": error, "message": message, **extra}, ensure_ascii=False))
        sys.exit(2)
