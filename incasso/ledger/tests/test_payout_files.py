"""Payouts of many clients at once (the desk's question, in two queries), the pain.001 schema compiled once per
process, and a payout for a client without an IBAN."""

import datetime

import pytest
import xmlschema

from incasso.ledger import sepa
from incasso.ledger.errors import LedgerError, NoPayoutAccount
from incasso.ledger.models import LedgerTransaction, Payout
from incasso.ledger.sepa import CreditTransfer, credit_transfer_document
from incasso.ledger.services import payment_receive, payment_reverse, payout_create
from incasso.ledger.services.payouts import payout_items_due, payouts_items_due
from incasso.ledger.tests.conftest import eur, make_case
from incasso.parties.factories import ClientFactory
from incasso.parties.models import Client

pytestmark = pytest.mark.django_db
AUGUST = (datetime.date(2023, 8, 1), datetime.date(2023, 8, 31))


def _paid_client(code: str, *, iban: str = "NL02ABNA0123456789", reversed_too: bool = False) -> Client:
    client = ClientFactory(code=code, name=f"{code} B.V.", iban=iban)
    case = make_case(client)
    for key, amount in ((f"{code}-1", "300.00"), (f"{code}-2", "50.00")):
        payment_receive(
            case_id=case.pk, amount=eur(amount), received_on=datetime.date(2023, 8, 10), key=key, source="test"
        )
    if reversed_too:
        payment_reverse(payment_key=f"{code}-2", key=f"{code}-r", booked_on=datetime.date(2023, 8, 20), reason="x")
    return client


@pytest.fixture
def schema_builds(monkeypatch):
    """The XSDs compiled while the test runs (the process's compiled schemas forgotten first)."""
    built: list[str] = []
    real = xmlschema.XMLSchema

    def counting(source, *args, **kwargs):
        built.append(str(source).rsplit("/", 1)[-1])
        return real(source, *args, **kwargs)

    sepa._schema.cache_clear()
    monkeypatch.setattr(xmlschema, "XMLSchema", counting)
    yield built
    sepa._schema.cache_clear()


def test_the_items_of_many_clients_take_two_queries_and_match_each_clients_own(django_assert_num_queries):
    clients = [_paid_client(code, reversed_too=code == "b") for code in ("a", "b", "c", "d")]
    idle = ClientFactory(code="idle")
    with django_assert_num_queries(2):
        items = payouts_items_due(clients=Client.objects.all(), until=AUGUST[1])
    assert set(items) == {client.pk for client in clients}  # the client with nothing due is left out
    for client in clients:
        assert items[client.pk] == payout_items_due(client_id=client.pk, until=AUGUST[1])
    assert [item.sign for item in items[clients[1].pk]] == [1, 1, -1]
    assert payout_items_due(client_id=idle.pk, until=AUGUST[1]) == []
    assert payouts_items_due(clients=[], until=AUGUST[1]) == {}


def test_the_pain001_schema_is_compiled_once_for_every_payout(schema_builds):
    for code in ("a", "b", "c"):
        client = _paid_client(code)
        payout_create(client_id=client.pk, period_start=AUGUST[0], period_end=AUGUST[1], key=f"po-{code}")
    assert Payout.objects.count() == 3
    assert schema_builds == ["pain.001.001.09.xsd"]


def test_a_cached_schema_still_refuses_an_invalid_file(schema_builds):
    transfer = CreditTransfer("Someone", "NL02ABNA0123456789", eur("1.00"), "x", "y")
    credit_transfer_document(transfers=[transfer], execution_date=datetime.date(2026, 10, 1))
    with pytest.raises(LedgerError, match=r"does not validate against pain\.001\.001\.09"):
        credit_transfer_document(
            transfers=[CreditTransfer("Someone", "NOT AN IBAN", eur("1.00"), "x", "y")],
            execution_date=datetime.date(2026, 10, 1),
        )
    assert schema_builds == ["pain.001.001.09.xsd"]


def test_a_payout_for_a_client_without_an_iban_is_refused_with_nothing_written():
    client = _paid_client("noiban", iban="")
    transactions = LedgerTransaction.objects.count()
    with pytest.raises(NoPayoutAccount, match=r"noiban B\.V\. has no IBAN"):
        payout_create(client_id=client.pk, period_start=AUGUST[0], period_end=AUGUST[1], key="po-x")
    assert LedgerTransaction.objects.count() == transactions
    assert not Payout.objects.exists()
    assert len(payout_items_due(client_id=client.pk, until=AUGUST[1])) == 2  # still waiting for the next payout
