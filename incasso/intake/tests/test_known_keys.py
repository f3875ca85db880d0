"""A chunk's lookup of the keys a client already has (invoice numbers, debtor references, credit notes) probes the
unique (client, key) index once per key on both databases, whatever the statistics say: a scan of the client's
claims, or of the whole table, per chunk made a large import into a client with many claims quadratic."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incasso.cases.models import Claim
from incasso.intake.known_keys import rows_for_keys
from incasso.intake.models import ImportSource
from incasso.intake.rows import ClaimRow
from incasso.intake.services import claims_import
from incasso.parties.factories import ClientFactory
from incasso.parties.models import Debtor

pytestmark = pytest.mark.django_db

COLUMNS = ("invoice_number", "pk", "principal_cents", "case_id")


def _claim(number: str) -> ClaimRow:
    return ClaimRow(
        row=1,
        invoice_number=number,
        invoice_date="2026-01-10",
        due_date="2026-02-09",
        amount="10.00",
        debtor_reference="K-1",
        debtor_kind="company",
        organisation_name="Klant B.V.",
    )


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(" ".join(str(value) for value in row) for row in cursor.fetchall())


def test_the_known_rows_are_found_within_the_client_only():
    client, other = ClientFactory(), ClientFactory()
    claims_import(client=client, rows=[_claim("F-1")], source=ImportSource.REST)
    claims_import(client=other, rows=[_claim("F-2")], source=ImportSource.REST)
    claim = Claim.objects.get(client=client)
    numbers = {"F-1", "F-2", "F-3"}
    assert rows_for_keys(Claim, client_id=client.pk, key="invoice_number", keys=numbers, columns=COLUMNS) == [
        ("F-1", claim.pk, 1_000, claim.case_id)
    ]
    debtor = Debtor.objects.get(client=other)
    assert rows_for_keys(Debtor, client_id=other.pk, key="reference", keys=["K-1"], columns=("pk", "kind")) == [
        (debtor.pk, "company")
    ]
    assert rows_for_keys(Claim, client_id=client.pk, key="invoice_number", keys=[], columns=COLUMNS) == []


def test_each_key_is_looked_up_on_the_client_key_index():
    client = ClientFactory()
    claims_import(client=client, rows=[_claim("F-1")], source=ImportSource.REST)
    numbers = [f"F-{n}" for n in range(2_000)]
    with CaptureQueriesContext(connection) as queries:
        rows_for_keys(Claim, client_id=client.pk, key="invoice_number", keys=numbers, columns=COLUMNS)
    [query] = queries.captured_queries
    plan = _plan(query["sql"])
    if connection.vendor == "postgresql":
        # Told it has a single claim, the planner would read the client's claims and filter them by the numbers.
        assert "Nested Loop" in plan and "Seq Scan on cases_claim" not in plan, plan
        assert "Index Cond: ((client_id = " in plan and "(invoice_number)::text = " in plan, plan
    else:
        # SQLite names the unique constraint's index itself.
        assert "SEARCH cases_claim USING INDEX " in plan and "(client_id=? AND invoice_number=?)" in plan, plan
