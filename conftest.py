"""Fixtures shared by every app's tests. Factories live in ``incasso/<app>/factories.py``."""

from __future__ import annotations

import pytest

from incasso.accounts.factories import UserFactory
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.parties.factories import ClientFactory, DebtorFactory


@pytest.fixture
def creditor(db):
    """A client (creditor). Named so it never shadows pytest-django's ``client``, the test HTTP client."""
    return ClientFactory(code="acme", name="Acme B.V.")


@pytest.fixture
def debtor(creditor):
    return DebtorFactory(client=creditor)


@pytest.fixture
def case(debtor):
    return CaseFactory(debtor=debtor)


@pytest.fixture
def claim(case):
    return ClaimFactory(case=case)


@pytest.fixture
def staff_user(db):
    return UserFactory(username="staff@example.com", is_staff=True)
