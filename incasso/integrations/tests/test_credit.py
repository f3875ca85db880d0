"""The credit-information port: the null adapter sends nothing; the REST adapter against its local double."""

from __future__ import annotations

import pytest

from incasso.disclosures.models import Disclosure, Recipient
from incasso.domain.data_map import LegalBasis, ProcessingPurpose
from incasso.integrations.credit.port import NullCreditInformation
from incasso.integrations.credit.services import CreditRequestRefused, credit_report_request
from incasso.integrations.credit.testing import LocalCreditBureau
from incasso.integrations.resilience import CircuitOpen, ServiceUnavailable
from incasso.integrations.rest.client import RestMalformed
from incasso.parties.factories import DebtorFactory

from .conftest import FAST

PURPOSE, BASIS = ProcessingPurpose.CREDIT_ASSESSMENT, LegalBasis.LEGITIMATE_INTEREST


@pytest.fixture
def bureau():
    with LocalCreditBureau() as double:
        double.reports["1012AB10"] = {"reference": "R-1", "score": 640, "negativeRegistrations": 1}
        yield double


@pytest.fixture
def recipient(db):
    return Recipient.objects.create(name="Credit bureau", category="credit_bureaus", country="NL")


def _ask(bureau, breaker, debtor=None, **kwargs):
    debtor = debtor or DebtorFactory(postcode="1012 AB", house_number="10")
    kwargs.setdefault("purpose", PURPOSE)
    kwargs.setdefault("legal_basis", BASIS)
    return credit_report_request(
        debtor=debtor, actor="tester", adapter=bureau.client(), breaker=breaker, backoff=FAST, **kwargs
    )


def test_the_null_adapter_is_the_default_and_sends_nothing(db, settings):
    settings.INCASSO_CREDIT_ADAPTER = "null"
    debtor = DebtorFactory()
    assert credit_report_request(debtor=debtor, purpose=PURPOSE, legal_basis=BASIS, actor="tester") is None
    assert not Disclosure.objects.exists()
    assert NullCreditInformation().report.__self__.sends_data is False


def test_a_report_is_asked_with_purpose_and_basis_logged(bureau, recipient, breaker):
    report = _ask(bureau, breaker)
    assert report is not None and (report.score, report.negative_registrations) == (640, 1)
    disclosure = Disclosure.objects.get()
    assert (disclosure.purpose, disclosure.legal_basis) == (PURPOSE.value, BASIS.value)
    assert bureau.bodies[0]["postcode"] == "1012AB"


@pytest.mark.parametrize(("purpose", "basis"), [("", BASIS), (PURPOSE, ""), (ProcessingPurpose.MARKETING, BASIS)])
def test_no_request_without_an_allowed_purpose_and_basis(bureau, recipient, breaker, purpose, basis):
    with pytest.raises(CreditRequestRefused):
        _ask(bureau, breaker, purpose=purpose, legal_basis=basis)
    assert not bureau.requests and not Disclosure.objects.exists()


def test_failures_retry_time_out_open_the_circuit_and_malformed_answers_are_clear(bureau, recipient, breaker):
    bureau.fail_next = 1
    assert _ask(bureau, breaker, retries=1) is not None
    bureau.malformed_next = 1
    with pytest.raises(RestMalformed):
        _ask(bureau, breaker)
    bureau.reports["1012AB10"] = {"reference": "R-1", "score": "high", "negativeRegistrations": 0}
    with pytest.raises(RestMalformed, match="score"):
        _ask(bureau, breaker)
    bureau.delay_seconds = 0.5
    with pytest.raises(ServiceUnavailable):
        _ask(bureau, breaker, timeout=0.1, retries=2)
    with pytest.raises(CircuitOpen):
        _ask(bureau, breaker)
