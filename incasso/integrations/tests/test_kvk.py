"""The Chamber of Commerce look-up over real HTTP against its local double with KvK's test numbers."""

from __future__ import annotations

import datetime

import pytest

from incasso.disclosures.models import Disclosure, Recipient
from incasso.integrations.kvk.services import kvk_company_check
from incasso.integrations.kvk.testing import LocalKvk
from incasso.integrations.resilience import CircuitOpen, ServiceUnavailable
from incasso.integrations.rest.client import RestMalformed
from incasso.parties.factories import ClientFactory

from .conftest import FAST


@pytest.fixture
def kvk():
    with LocalKvk() as double:
        yield double


@pytest.fixture
def kvk_client(kvk):
    client = kvk.client()
    yield client
    client.close()


@pytest.fixture
def kvk_recipient(db):
    return Recipient.objects.create(name="Kamer van Koophandel", category="insolvency_register", country="NL")


def _check(number, client, breaker, **kwargs):
    return kvk_company_check(
        kvk_number=number,
        subject=ClientFactory(),
        actor="tester",
        client=client,
        breaker=breaker,
        backoff=FAST,
        **kwargs,
    )


def test_a_test_company_is_found_and_the_look_up_logged(kvk, kvk_client, kvk_recipient, breaker):
    profile = _check("68750110", kvk_client, breaker)
    assert profile is not None and profile.name == "Test BV Donald" and profile.active
    assert kvk.requests[-1][2]["apikey"] == kvk.api_key
    assert Disclosure.objects.get().categories == ["user.government_id"]


def test_an_ended_registration_is_not_active(kvk_client, kvk_recipient, breaker):
    profile = _check("90004973", kvk_client, breaker)
    assert profile is not None and profile.ended_on == datetime.date(2023, 1, 1) and not profile.active


def test_an_unknown_number_is_none_and_a_malformed_number_is_never_sent(kvk, kvk_client, kvk_recipient, breaker):
    assert _check("12345678", kvk_client, breaker) is None
    sent = len(kvk.requests)
    with pytest.raises(ValueError, match="8 digits"):
        _check("1234", kvk_client, breaker)
    assert len(kvk.requests) == sent and Disclosure.objects.count() == 1


def test_5xx_is_retried_timeouts_give_up_and_the_circuit_opens(kvk, kvk_client, kvk_recipient, breaker):
    kvk.fail_next = 1
    assert _check("69599084", kvk_client, breaker, retries=1) is not None
    kvk.delay_seconds = 0.5
    with pytest.raises(ServiceUnavailable):
        _check("69599084", kvk_client, breaker, timeout=0.1, retries=2)
    with pytest.raises(CircuitOpen):
        _check("69599084", kvk_client, breaker)


def test_a_malformed_answer_is_a_clear_error(kvk, kvk_client, kvk_recipient, breaker):
    kvk.malformed_next = 1
    with pytest.raises(RestMalformed, match="not JSON"):
        _check("68750110", kvk_client, breaker)
    kvk.companies["68750110"] = {"kvkNummer": "68750110"}
    with pytest.raises(RestMalformed, match="naam"):
        _check("68750110", kvk_client, breaker)
