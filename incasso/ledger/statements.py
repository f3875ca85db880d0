"""The payout statement as CSV: per case what was collected, what the agency kept, and what the client gets.

Built from the statement lines stored with the payout, so a statement printed again next year shows exactly what
was paid then, whatever happened on the cases since.
"""

from __future__ import annotations

import csv
import io

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
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([heading for heading, _ in COLUMNS])
    totals = dict.fromkeys((key for _, key in COLUMNS[1:]), 0)
    for line in payout.statement:
        writer.writerow([_cell(key, line[key]) for _, key in COLUMNS])
        for key in totals:
            totals[key] += int(line[key])
    writer.writerow(["total", *(_cell(key, totals[key]) for _, key in COLUMNS[1:])])
    return out.getvalue()
