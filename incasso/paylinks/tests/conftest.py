"""Fixtures of the payment-link tests: the local payment provider over real HTTP, and a case that owes money."""

from __future__ import annotations

import pytest

from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.paylinks.testing import LocalPaymentProvider


@pytest.fixture
def local_provider():
    """The provider double on a free port of 127.0.0.1; its webhooks are recorded, not sent (tests deliver them)."""
    delivered: list[tuple[str, str]] = []
    with LocalPaymentProvider(webhook_sender=lambda url, payment_id: delivered.append((url, payment_id))) as double:
        double.delivered = delivered
        yield double


@pytest.fixture
def provider(local_provider):
    """The real REST adapter, talking HTTP to the double."""
    adapter = local_provider.adapter()
    yield adapter
    adapter.close()


@pytest.fixture
def owing_case(debtor):
    """A case with one claim of 125.00 due 2026-07-31 (statutory interest runs from then)."""
    case = CaseFactory(debtor=debtor)
    ClaimFactory(case=case)
    return case
