from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from incasso.arrangements.models import ProposedBy
from incasso.arrangements.services import arrangement_propose
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.cases.models import InterestKind
from incasso.domain.case_stages import Stage
from incasso.domain.money import Money
from incasso.ledger.services import payment_receive
from incasso.parties.factories import DebtorFactory

TODAY = datetime.date(2026, 10, 1)
FIRST_DUE = datetime.date(2026, 10, 15)


@pytest.fixture(autouse=True)
def _english():
    """These tests read the services' messages in English; the site's default language is Dutch."""
    with translation.override("en"):
        yield


def owing_case(creditor, principal_cents: int = 60_000, **kwargs):
    """A case in amicable collection without interest, so that it owes exactly its principal."""
    case = CaseFactory(
        debtor=DebtorFactory(client=creditor), stage=Stage.AMICABLE.value, interest_kind=InterestKind.NONE, **kwargs
    )
    ClaimFactory(case=case, principal_cents=principal_cents)
    return case


def propose(case, months: int = 6, **kwargs):
    options = {"first_due": FIRST_DUE, "proposed_by": ProposedBy.DEBTOR, "on": TODAY, **kwargs}
    return arrangement_propose(case=case, months=months, **options)


def pay(case, cents: int, on: datetime.date, key: str):
    return payment_receive(case_id=case.pk, amount=Money(cents), received_on=on, key=key, source="bank")


@pytest.fixture
def owing(creditor):
    return owing_case(creditor)
