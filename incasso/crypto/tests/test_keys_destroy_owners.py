"""``data_keys_destroy`` empties only the blind indexes of the models whose keys it destroys, and never fewer."""

from __future__ import annotations

import pytest
from django.db import transaction

from incasso.consent.models import Subscriber
from incasso.consent.services import document_version_create, document_version_publish
from incasso.crypto import keyring
from incasso.crypto.services import data_keys_destroy
from incasso.parties.agreements import ClientContact
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.parties.models import Debtor

pytestmark = pytest.mark.django_db


def _contact(email: str) -> ClientContact:
    return ClientContact.objects.create(client=ClientFactory(), name="Piet Jansen", email=email)


def _subscriber(email: str) -> Subscriber:
    version = document_version_create(
        kind="consent_text",
        purpose="newsletter",
        title_nl="Nieuwsbrief",
        title_en="Newsletter",
        body_nl="Ja, stuur mij de nieuwsbrief.",
        body_en="Yes, send me the newsletter.",
    )
    return Subscriber.objects.create(email=email, consent_version=document_version_publish(version=version))


def _index(row: ClientContact | Subscriber | Debtor) -> str:
    return str(type(row).objects.values_list("email_index", flat=True).get(pk=row.pk))


def test_a_contact_key_among_debtor_keys_still_takes_the_contacts_entries(django_assert_num_queries):
    """As the retention sweep calls it (the debtors' entries emptied by the caller), with a contact's key among."""
    debtors = [DebtorFactory(email=f"d{n}@example.nl") for n in range(3)]
    contact, kept = _contact("piet@klant.nl"), _contact("kees@klant.nl")
    subscriber = _subscriber("anna@example.nl")
    assert _index(contact) and _index(subscriber)
    ids = [debtor.data_key_id for debtor in debtors] + [contact.data_key_id]
    with transaction.atomic(), django_assert_num_queries(2):  # the keys; the contacts' entries (not the subscribers')
        assert data_keys_destroy(key_ids=ids, indexes_emptied=[Debtor]) == 4
    assert _index(contact) == ""
    assert _index(kept) != "" and _index(subscriber) != ""
    assert all(_index(debtor) for debtor in debtors)  # the caller's to empty, as it said it had
    keyring.keys_cache_clear()
    assert ClientContact.objects.get(pk=contact.pk).personal_data_erased
    assert not ClientContact.objects.get(pk=kept.pk).personal_data_erased


def test_a_subscriber_key_takes_the_subscribers_entry_and_no_other_models():
    debtor, contact, subscriber = DebtorFactory(email="d@example.nl"), _contact("piet@klant.nl"), _subscriber("a@b.nl")
    with transaction.atomic():
        assert data_keys_destroy(key_ids=[subscriber.data_key_id]) == 1
    assert _index(subscriber) == ""
    assert _index(contact) != "" and _index(debtor) != ""


def test_an_entry_that_outlived_its_key_is_emptied_when_the_key_is_destroyed_again():
    """A destroyed key tells nothing of whose it was: every model's entries under it are looked at."""
    contact = _contact("piet@klant.nl")
    filled = _index(contact)
    with transaction.atomic():
        data_keys_destroy(key_ids=[contact.data_key_id])
    ClientContact.objects.filter(pk=contact.pk).update(email_index=filled)  # e.g. written back by a restore
    with transaction.atomic():
        assert data_keys_destroy(key_ids=[contact.data_key_id, DebtorFactory().data_key_id]) == 1
    assert _index(contact) == ""


def test_a_destroyed_key_reads_as_gone_inside_the_transaction_that_destroyed_it():
    contact = _contact("piet@klant.nl")
    assert ClientContact.objects.get(pk=contact.pk).name == "Piet Jansen"  # its key is now in the process's cache
    with transaction.atomic():
        data_keys_destroy(key_ids=[contact.data_key_id])
        assert ClientContact.objects.get(pk=contact.pk).personal_data_erased
