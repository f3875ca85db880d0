import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation

from incasso.audit.models import AuditEvent
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.parties.models import ClientKind, Debtor, DebtorKind
from incasso.parties.selectors import client_exists, client_overviews
from incasso.parties.services import client_create, debtor_create

pytestmark = pytest.mark.django_db


def test_client_create_stores_the_iban_compact():
    client = client_create(
        code="wholesale", name="Groothandel B.V.", kind=ClientKind.WHOLESALER, iban="nl91 abna 0417 1643 00"
    )
    assert client.iban == "NL91ABNA0417164300"


def test_client_create_refuses_an_invalid_iban():
    with pytest.raises(ValidationError) as error:
        client_create(code="bad", name="Bad B.V.", iban="NL00ABNA0417164300")
    assert "iban" in error.value.message_dict


def test_debtor_create_normalises_and_validates_the_dutch_postcode(creditor):
    debtor = debtor_create(
        client=creditor,
        reference="K1",
        kind=DebtorKind.CONSUMER,
        surname="Jansen",
        postcode="1012ab",
        actor="office",
        source="test",
    )
    assert debtor.postcode == "1012 AB"
    with pytest.raises(ValidationError) as error:
        debtor_create(
            client=creditor,
            reference="K2",
            kind=DebtorKind.CONSUMER,
            surname="Jansen",
            postcode="1012 SS",
            actor="office",
            source="test",
        )
    assert "postcode" in error.value.message_dict


def test_debtor_create_audits_the_fields_it_wrote(creditor):
    debtor = debtor_create(
        client=creditor,
        reference="K1",
        kind=DebtorKind.CONSUMER,
        surname="Jansen",
        email="jan@example.nl",
        actor="office",
        source="back office",
    )
    event = AuditEvent.objects.get(subject_type="parties.Debtor", subject_id=str(debtor.pk))
    assert (event.action, event.actor_label, event.source) == ("create", "office", "back office")
    assert {"parties.Debtor.surname", "parties.Debtor.email"} <= set(event.fields)
    assert "parties.Debtor.iban" not in event.fields


def test_debtor_references_are_unique_per_client_only(creditor):
    DebtorFactory(client=creditor, reference="K1")
    DebtorFactory(client=ClientFactory(), reference="K1")
    with pytest.raises(IntegrityError):
        DebtorFactory(client=creditor, reference="K1")


def test_a_company_has_no_date_of_birth(creditor):
    with pytest.raises(IntegrityError):
        DebtorFactory(client=creditor, company=True, date_of_birth=datetime.date(1990, 1, 1))


def test_a_person_needs_a_surname(creditor):
    with pytest.raises(IntegrityError):
        DebtorFactory(client=creditor, surname="")


def test_display_names():
    assert DebtorFactory.build(given_names="Anna", surname="de Vries").display_name == "Anna de Vries"
    assert DebtorFactory.build(company=True, organisation_name="Bouw B.V.").display_name == "Bouw B.V."
    sole_trader = DebtorFactory.build(
        kind=DebtorKind.SOLE_TRADER, given_names="Piet", surname="Bakker", organisation_name="Bakker Dakwerken"
    )
    assert sole_trader.display_name == "Bakker Dakwerken (Piet Bakker)"


def test_client_overviews_count_debtors_in_one_query(django_assert_num_queries):
    first, second = ClientFactory(name="A"), ClientFactory(name="B")
    DebtorFactory.create_batch(3, client=first)
    with django_assert_num_queries(1):
        overviews = client_overviews()
    assert [(o.name, o.debtor_count) for o in overviews] == [("A", 3), ("B", 0)]
    assert second.pk == overviews[1].id


def test_client_exists():
    assert not client_exists()
    ClientFactory()
    assert client_exists()


def test_the_postcode_region_is_named_in_dutch():
    with translation.override("nl"):
        assert str(Debtor._meta.get_field("postcode_region").verbose_name) == "postcoderegio"
