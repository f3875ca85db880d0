"""Legal calculations as the rest of the system uses them: the rate tables in force and the quote."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

from incasso.domain.interest import InterestKind, RateTable, parse_rate_tables, shipped_rate_tables
from incasso.domain.quote import quote_calculate
from incasso.domain.quote_io import parse_quote_request, render_quote


@lru_cache(maxsize=4)
def _rate_tables_from_file(path: str, mtime_ns: int) -> dict[InterestKind, RateTable]:
    return parse_rate_tables(json.loads(Path(path).read_text(encoding="utf-8")))


def interest_rate_tables() -> Mapping[InterestKind, RateTable]:
    """The shipped table, or the administrator's newer file when ``INCASSO_INTEREST_RATES_FILE`` names one.

    The file is re-read when it changes, so a confirmed or added rate takes effect without a deploy.
    """
    path = settings.INTEREST_RATES_FILE
    if not path:
        return shipped_rate_tables()
    return _rate_tables_from_file(path, Path(path).stat().st_mtime_ns)


def quote_document_calculate(document: Any) -> dict[str, Any]:
    """Answer a quote request given as a decoded JSON document; raises ``QuoteError`` naming the bad field."""
    request = parse_quote_request(document)
    return render_quote(quote_calculate(request, interest_rate_tables()))
