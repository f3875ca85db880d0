"""The address service over real HTTP against its local double: look-ups, the change feed, and failures."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from incasso.disclosures.models import Agreement, AgreementKind, Disclosure, Recipient
from incasso.integrations.address.client import Address
from incasso.integrations.address.services import addresses_refresh, debtor_address_validate
from incasso.integrations.address.testing import LocalAddressService
from incasso.integrations.models import CircuitState, FeedCursor
from incasso.integrations.resilience import CircuitOpen, ServiceUnavailable
from incasso.integrations.rest.client import RestMalformed, RestRejected
from incasso.parties.factories import DebtorFactory
from incasso.parties.models import Debtor

from .conftest import FAST

OLD = Address(street="Oude Straat", house_number="10", postcode="1012AB", city="Amsterdam")
NEW = Address(street="Nieuwe Straat", house_number="10", postcode="1012AB", city="Amsterdam")


@pytest.fixture
def address_service():
    with LocalAddressService() as double:
        yield double


@pytest.fixture
def address_client(address_service):
    client = address_service.client()
    yield client
    client.close()


@pytest.fixture
def address_recipient(db):
    """The service as the register holds it: a processor, so with its processor agreement (art. 28)."""
    recipient = Recipient.objects.create(name="Address service", category="address_services", country="NL")
    Agreement.objects.create(recipient=recipient, kind=AgreementKind.PROCESSOR_AGREEMENT, document_reference="VWO-1")
    return recipient


def _validate(debtor, client, breaker, **kwargs):
    return debtor_address_validate(
        debtor=debtor, actor="tester", client=client, breaker=breaker, backoff=FAST, **kwargs
    )


def test_a_lookup_answers_the_street_and_city_and_is_logged(
    address_service, address_client, address_recipient, breaker
):
    address_service.add(OLD)
    debtor = DebtorFactory(postcode="1012 ab", house_number="10", street="", city="")
    assert _validate(debtor, address_client, breaker) == OLD
    disclosure = Disclosure.objects.get()
    assert disclosure.recipient == address_recipient and disclosure.categories == ["user.contact.address"]
    assert address_service.requests[-1][2]["x-api-key"] == address_service.api_key


def test_an_unknown_address_is_none(address_service, address_client, address_recipient, breaker):
    debtor = DebtorFactory(postcode="9999ZZ", house_number="1")
    assert _validate(debtor, address_client, breaker) is None


def test_a_slow_service_times_out_and_is_retried(address_service, address_client, address_recipient, breaker):
    address_service.delay_seconds = 0.5
    debtor = DebtorFactory(postcode="1012AB", house_number="10")
    with pytest.raises(ServiceUnavailable):
        _validate(debtor, address_client, breaker, timeout=0.1, retries=1)
    assert len(address_service.requests) == 2


def test_a_5xx_is_retried_then_succeeds(address_service, address_client, address_recipient, breaker):
    address_service.add(OLD)
    address_service.fail_next = 2
    debtor = DebtorFactory(postcode="1012AB", house_number="10")
    assert _validate(debtor, address_client, breaker, retries=2) == OLD
    assert len(address_service.requests) == 3


def test_the_circuit_opens_and_fails_fast(address_service, address_client, address_recipient, breaker):
    address_service.fail_next = 100
    debtor = DebtorFactory(postcode="1012AB", house_number="10")
    with pytest.raises(ServiceUnavailable):
        _validate(debtor, address_client, breaker, retries=2)
    assert CircuitState.objects.get(name="test").state == "open"
    calls = len(address_service.requests)
    with pytest.raises(CircuitOpen):
        _validate(debtor, address_client, breaker)
    assert len(address_service.requests) == calls


def test_a_wrong_key_is_a_clear_refusal(address_service, address_recipient, breaker):
    client = type(address_service.client())(url=address_service.url, api_key="wrong")
    with pytest.raises(RestRejected):
        _validate(DebtorFactory(postcode="1012AB", house_number="10"), client, breaker)


def test_the_feed_moves_debtors_in_batches_and_keeps_the_cursor(address_service, address_client, db, breaker):
    at_old = [DebtorFactory(street=OLD.street, postcode="1012 AB", house_number="10", city=OLD.city) for _ in range(3)]
    elsewhere = DebtorFactory(street="Kerkstraat", postcode="3511AA", house_number="1", city="Utrecht")
    moved = Address(street="Laan", house_number="2", postcode="3511AB", city="Utrecht")
    address_service.change(OLD, NEW)
    address_service.change(Address("X", "5", "9999ZZ", "Y"), Address("X2", "5", "9999ZZ", "Y"))
    address_service.change(Address("Kerkstraat", "1", "3511AA", "Utrecht"), moved)

    report = addresses_refresh(client=address_client, breaker=breaker, batch_size=2, backoff=FAST)
    assert (report.pages, report.changes, report.debtors_updated) == (2, 3, 4)
    assert {d.street for d in Debtor.objects.filter(pk__in=[d.pk for d in at_old])} == {"Nieuwe Straat"}
    elsewhere.refresh_from_db()
    assert (elsewhere.street, elsewhere.house_number, elsewhere.postcode) == ("Laan", "2", "3511AB")
    assert FeedCursor.objects.get(name="address").cursor == "3"
    assert addresses_refresh(client=address_client, breaker=breaker, backoff=FAST).debtors_updated == 0


def test_a_malformed_feed_page_changes_nothing(address_service, address_client, db, breaker):
    debtor = DebtorFactory(street=OLD.street, postcode="1012AB", house_number="10", city=OLD.city)
    address_service.change(OLD, NEW)
    address_service.malformed_next = 1
    with pytest.raises(RestMalformed):
        addresses_refresh(client=address_client, breaker=breaker, backoff=FAST)
    debtor.refresh_from_db()
    assert debtor.street == OLD.street
    assert FeedCursor.objects.get(name="address").cursor == ""


def test_the_refresh_command_reads_the_feed_from_the_settings(address_service, db, settings, capsys):
    settings.INCASSO_ADDRESS_URL, settings.INCASSO_ADDRESS_API_KEY = address_service.url, address_service.api_key
    debtor = DebtorFactory(street=OLD.street, postcode="1012AB", house_number="10", city=OLD.city)
    address_service.change(OLD, NEW)
    call_command("addresses", "refresh")
    assert "1 debtors updated" in capsys.readouterr().out
    debtor.refresh_from_db()
    assert debtor.street == NEW.street
