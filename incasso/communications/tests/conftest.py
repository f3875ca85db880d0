"""Fixtures for the letter tests: a consumer case with claims in 2024, print files in a temporary directory."""

from __future__ import annotations

import datetime

import pytest

from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.core.testing import pdf_text  # noqa: F401 - the letter tests import it from here
from incasso.parties.factories import ClientFactory, DebtorFactory

POSTED = datetime.date(2024, 8, 29)  # LEGAL.md §2: received Saturday 31 August, last day Monday 16 September


@pytest.fixture(autouse=True)
def _media_dir(settings, tmp_path):
    settings.INCASSO_MEDIA_DIR = tmp_path / "media"


@pytest.fixture
def letter_case(db):
    """A consumer of a client that cannot deduct VAT, with two unpaid invoices due in July 2024."""
    client = ClientFactory(code="energie", name="Energie Noord B.V.", vat_deductible=False)
    debtor = DebtorFactory(
        client=client,
        given_names="Jan",
        surname="de Vries",
        street="Kerkstraat",
        house_number="12",
        postcode="1012 AB",
        city="Amsterdam",
        email="jan@example.com",
    )
    case = CaseFactory(debtor=debtor, number="2024-000123", opened_on=datetime.date(2024, 8, 1))
    ClaimFactory(
        case=case,
        invoice_number="F-2024-0007",
        invoice_date=datetime.date(2024, 6, 1),
        due_date=datetime.date(2024, 7, 1),
        principal_cents=80_000,
    )
    ClaimFactory(
        case=case,
        invoice_number="F-2024-0011",
        invoice_date=datetime.date(2024, 7, 1),
        due_date=datetime.date(2024, 7, 31),
        principal_cents=45_050,
    )
    return case
