"""The payout desk's preview costs a fixed number of queries however many clients are due, and its edge cases:
a client with nothing due, and a payout for a client without an IBAN."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incasso.accounts.roles import Role
from incasso.audit.models import AuditEvent
from incasso.backoffice.payouts_due import payouts_due
from incasso.backoffice.tests.conftest import ENGLISH, login_as
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.ledger.models import LedgerTransaction, Payout
from incasso.ledger.services import payment_receive, payment_reverse
from incasso.ledger.tests.conftest import eur
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.parties.models import Client


def _client_paid(code: str, *, reversed_too: bool = False, iban: str = "NL91ABNA0417164300") -> Client:
    """A client with one case that was paid EUR 100 and 40 (the 40 reversed when asked)."""
    client = ClientFactory(code=code, name=f"Klant {code} B.V.", iban=iban)
    case = CaseFactory(debtor=DebtorFactory(client=client))
    ClaimFactory(case=case)
    for key, amount in ((f"{code}-1", "100.00"), (f"{code}-2", "40.00")):
        payment_receive(case_id=case.pk, amount=eur(amount), received_on=case.opened_on, key=key, source="test")
    if reversed_too:
        payment_reverse(payment_key=f"{code}-2", key=f"{code}-rev", booked_on=timezone.localdate(), reason="returned")
    return client


@pytest.fixture
def finance(client, db):
    return login_as(client, "finance@example.com", Role.FINANCE)


def _desk_queries(http) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(reverse("backoffice:payouts"), **ENGLISH)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_preview_takes_the_same_queries_for_one_client_as_for_many(finance, django_assert_num_queries):
    _client_paid("one")
    one = _desk_queries(finance)
    for code in ("two", "three", "four", "five"):
        _client_paid(code, reversed_too=code == "three")
    with django_assert_num_queries(one):
        response = finance.get(reverse("backoffice:payouts"), **ENGLISH)
    assert len(response.context["due"]) == 5
    # The preview itself: the user's roles (access_clients), the items (payments, reversals), the commission
    # terms, the latest payouts, the clients.
    with django_assert_num_queries(6):
        due = payouts_due(user=finance.user, until=timezone.localdate())
    assert [row.client.name for row in due] == sorted(row.client.name for row in due)
    reversed_row = next(row for row in due if row.client.code == "three")
    assert (reversed_row.payments, reversed_row.reversals) == (2, 1)


def test_the_preview_of_many_clients_is_what_each_payout_pays(finance):
    for code in ("two", "three", "four"):
        _client_paid(code, reversed_too=code == "three")
    preview = {row.client.pk: row for row in payouts_due(user=finance.user, until=timezone.localdate())}
    for client_id, row in preview.items():
        finance.post(
            reverse("backoffice:payout-new"),
            {"client": client_id, "until": timezone.localdate().isoformat(), "after": 0},
        )
        payout = Payout.objects.get(client_id=client_id)
        assert (payout.gross_cents, payout.commission_cents, payout.net_cents) == (
            row.gross.cents,
            row.commission.cents,
            row.net.cents,
        )
    assert payouts_due(user=finance.user, until=timezone.localdate()) == []


def test_a_client_with_nothing_due_is_left_out_and_its_payout_is_a_message(finance):
    paid = _client_paid("paid")
    idle = ClientFactory(code="idle", name="Stil B.V.")
    assert [row.client for row in payouts_due(user=finance.user, until=timezone.localdate())] == [paid]
    response = finance.post(
        reverse("backoffice:payout-new"),
        {"client": idle.pk, "until": timezone.localdate().isoformat(), "after": 0},
        follow=True,
        **ENGLISH,
    )
    assert "Stil B.V. has nothing to be paid out" in response.content.decode()
    assert not Payout.objects.exists()


def test_a_payout_for_a_client_without_an_iban_says_so_and_changes_nothing(finance):
    client = _client_paid("noiban", iban="")
    row = payouts_due(user=finance.user, until=timezone.localdate())[0]
    assert row.net.cents > 0 and not row.payable
    page = finance.get(reverse("backoffice:payouts"), **ENGLISH).content.decode()
    assert "no IBAN" in page and f'data-payout-for="{client.pk}"' not in page
    transactions, audits = LedgerTransaction.objects.count(), AuditEvent.objects.count()
    response = finance.post(
        reverse("backoffice:payout-new"),
        {"client": client.pk, "until": timezone.localdate().isoformat(), "after": 0},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert "Er is niets uitbetaald: Klant noiban B.V. heeft geen IBAN." in response.content.decode()
    assert not Payout.objects.exists()
    assert (LedgerTransaction.objects.count(), AuditEvent.objects.count()) == (transactions, audits)
