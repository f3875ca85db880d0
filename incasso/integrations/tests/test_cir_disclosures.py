"""A search of the insolvency register and the notice to the client are disclosures (SPEC P-8), logged as such."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from incasso.cases.factories import CaseFactory
from incasso.cases.services import case_hold_place
from incasso.disclosures.models import Disclosure, RefusedDisclosure
from incasso.disclosures.selectors import disclosures_for_subject
from incasso.domain.case_lifecycle import HoldKind
from incasso.domain.data_map import DataCategory
from incasso.integrations.cir.client import Publication, PublicationKind
from incasso.integrations.cir.services import cir_check
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.parties.models import ClientContact

from .conftest import FAST

ON = datetime.date(2026, 11, 2)
pytestmark = pytest.mark.django_db
BANKRUPTCY = Publication("F.13/26/9", "Rechtbank Utrecht", PublicationKind.BANKRUPTCY, datetime.date(2026, 10, 20))


def _debtor(local_cir, *, registered: bool):
    client = ClientFactory()
    ClientContact.objects.create(client=client, name="Credit Desk", email="credit@client.example")
    debtor = DebtorFactory(client=client, surname="Jansen", date_of_birth=datetime.date(1980, 5, 17))
    case = CaseFactory(debtor=debtor, client=client)
    if registered:
        local_cir.add_person(surname="Jansen", date_of_birth=datetime.date(1980, 5, 17), publication=BANKRUPTCY)
    return case


def _check(cir_client, case):
    return cir_check(debtor_ids=[case.debtor_id], on=ON, client=cir_client, backoff=FAST)


def test_a_search_is_a_disclosure_of_name_birth_date_and_address_to_the_register(local_cir, cir_client):
    case = _debtor(local_cir, registered=False)
    assert _check(cir_client, case).checked == 1
    disclosure = Disclosure.objects.get()
    assert disclosure.recipient.name == "Centraal Insolventieregister"
    assert disclosure.recipient.category == "insolvency_register" and disclosure.transfer_basis == "eea"
    assert set(disclosure.categories) == {DataCategory.NAME, DataCategory.DATE_OF_BIRTH, DataCategory.CONTACT_ADDRESS}
    assert [d.description for d in disclosures_for_subject(case.debtor)] == [disclosure.description]


def test_a_restricted_debtor_is_not_searched_and_the_refusal_is_logged(local_cir, cir_client):
    case = _debtor(local_cir, registered=True)
    case_hold_place(case=case, kind=HoldKind.RESTRICTION, reason="art. 18 request")
    report = _check(cir_client, case)
    assert (report.refused, report.checked, report.hits) == (1, 0, 0)
    assert local_cir.requests == 0  # nothing went to the register
    assert not Disclosure.objects.exists()
    assert "art. 18" in RefusedDisclosure.objects.get().reason


def test_the_insolvency_notice_to_the_client_is_a_disclosure_to_that_client(
    local_cir, cir_client, django_capture_on_commit_callbacks
):
    case = _debtor(local_cir, registered=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert _check(cir_client, case).hits == 1
    assert mail.outbox[0].to == ["credit@client.example"]
    notice = Disclosure.objects.get(recipient__client=case.client)
    assert notice.case_id == case.pk and "F.13/26/9" in notice.description
    assert notice.recipient.category == "clients"
    assert DataCategory.LEGAL_PROCEEDINGS in notice.categories
    assert Disclosure.objects.filter(recipient__name="Centraal Insolventieregister").count() == 1
