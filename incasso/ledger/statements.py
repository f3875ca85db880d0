"""The payout statement as CSV and PDF: per case what was collected, what the agency kept, and what the client gets.

Built from the statement lines stored with the payout, so a statement printed again next year shows exactly what
was paid then, whatever happened on the cases since.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import typst
from django.conf import settings

from incasso.domain.money import Money
from incasso.ledger.models import Payout

# (column heading, statement key); money columns hold cents in the stored lines.
COLUMNS = (
    ("case", "case"),
    ("payments", "payments"),
    ("reversals", "reversals"),
    ("received", "amount_cents"),
    ("to_costs", "to_costs_cents"),
    ("to_interest", "to_interest_cents"),
    ("to_principal", "to_principal_cents"),
    ("overpayment", "overpayment_cents"),
    ("agency_costs_retained", "agency_costs_cents"),
    ("agency_interest_retained", "agency_interest_cents"),
    ("collected_for_client", "client_cents"),
    ("commission", "commission_cents"),
    ("net", "net_cents"),
)


def _cell(key: str, value: object) -> str:
    return str(Money(int(str(value)))) if key.endswith("_cents") else str(value)


def payout_statement_csv(*, payout: Payout) -> str:
    """The statement with one row per case and a totals row that equals the payout's gross, commission and net."""
    rows, totals = _statement_rows(payout)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([heading for heading, _ in COLUMNS])
    writer.writerows(rows)
    writer.writerow(totals)
    return out.getvalue()


PDF_TEMPLATE = Path(__file__).resolve().parent / "payout_statement.typ"


def _statement_rows(payout: Payout) -> tuple[list[list[str]], list[str]]:
    rows = [[_cell(key, line[key]) for _, key in COLUMNS] for line in payout.statement]
    totals = ["total"] + [_cell(key, sum(int(line[key]) for line in payout.statement)) for _, key in COLUMNS[1:]]
    return rows, totals


def payout_statement_pdf(*, payout: Payout) -> bytes:
    """The same statement as a PDF for the client (Typst; the figures are the CSV's, from the stored lines)."""
    rows, totals = _statement_rows(payout)
    data = {
        "agency": settings.INCASSO_AGENCY_NAME,
        "agency_address": ", ".join(settings.INCASSO_AGENCY_ADDRESS),
        "reference": f"P-{payout.pk}",
        "client": payout.client.name,
        "iban": payout.client.iban,
        "period_start": payout.period_start.isoformat(),
        "period_end": payout.period_end.isoformat(),
        "headings": [heading.replace("_", " ") for heading, _ in COLUMNS],
        "rows": rows,
        "totals": totals,
        "gross": str(Money(payout.gross_cents)),
        "commission": str(Money(payout.commission_cents)),
        "net": str(Money(payout.net_cents)),
    }
    pdf = typst.compile(str(PDF_TEMPLATE), format="pdf", sys_inputs={"data": json.dumps(data, ensure_ascii=False)})
    if not isinstance(pdf, bytes):
        raise RuntimeError("Typst returned no PDF for the payout statement")
    return pdf
