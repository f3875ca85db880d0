"""Fixtures of the ledger tests: the quote's worked example as a case, commission terms, money in one call."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.domain.money import Money
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.parties.models import CommissionTerms


def eur(text: str) -> Money:
    return Money.parse(text)


@pytest.fixture(autouse=True)
def _balanced_at_commit(request):
    """On PostgreSQL, run the deferred sum-to-zero trigger at the end of every test: the test transaction is
    rolled back, never committed, so without this the database's own check would never be exercised.
    A test that corrupts the ledger on purpose asks for ``unbalanced_ledger`` and is left alone."""
    yield
    uses_db = "db" in request.fixturenames or request.node.get_closest_marker("django_db") is not None
    if uses_db and connection.vendor == "postgresql" and "unbalanced_ledger" not in request.fixturenames:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture
def unbalanced_ledger(db):
    """Marks a test that writes unbalanced entries on purpose, bypassing the service and the trigger."""


def make_case(client, *, claims=(("A", "1500.00", datetime.date(2023, 3, 1)),), costs_due_from=None, number=None):
    """A case of ``client`` with ``claims`` given as (invoice number, principal, due date)."""
    extra = {"number": number} if number else {}
    case = CaseFactory(debtor=DebtorFactory(client=client), costs_due_from=costs_due_from, **extra)
    for invoice, principal, due in claims:
        ClaimFactory(
            case=case,
            invoice_number=invoice,
            invoice_date=due - datetime.timedelta(days=30),
            due_date=due,
            principal_cents=eur(principal).cents,
        )
    return case


WORKED_CLAIMS = (("A", "1500.00", datetime.date(2023, 3, 1)), ("B", "1500.00", datetime.date(2023, 4, 1)))


@pytest.fixture
def creditor_with_terms(db):
    """A client that pays 15% commission on principal and leaves the agency half the interest and all costs."""
    client = ClientFactory(code="terms", name="Terms B.V.", iban="NL02ABNA0123456789")
    CommissionTerms.objects.create(
        client=client,
        valid_from=datetime.date(2020, 1, 1),
        commission_on_principal_bp=1_500,
        agency_share_of_interest_bp=5_000,
        agency_share_of_costs_bp=10_000,
    )
    return client


@pytest.fixture
def worked_case(creditor_with_terms):
    """LEGAL.md §4's worked example: A 1500 due 2023-03-01, B 1500 due 2023-04-01, costs due 2023-05-01."""
    return make_case(creditor_with_terms, claims=WORKED_CLAIMS, costs_due_from=datetime.date(2023, 5, 1))
