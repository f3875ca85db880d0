"""P-3: a client contact's personal data is sealed under a data key of the contact's own, found by address through a
blind index, and erased by destroying that key (crypto-shredding) — also for many contacts at once, set-based."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from incasso.audit.models import AuditAction, AuditEvent
from incasso.audit.selectors import audit_events_for_subject
from incasso.core.testing import sqlite_append_only_triggers
from incasso.crypto import keyring, primitives
from incasso.crypto.models import DataKey
from incasso.domain.data_map import ProcessingPurpose
from incasso.parties.factories import ClientFactory
from incasso.parties.models import ClientContact
from incasso.parties.selectors import client_contact_emails, client_contacts_with_email
from incasso.parties.services import client_contacts_erase

pytestmark = pytest.mark.django_db
ERASED_BY = {"actor": "test", "purpose": ProcessingPurpose.CLIENT_RELATIONSHIP, "source": "test"}


def _raw(contact: ClientContact) -> tuple[str, str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, email, phone, role FROM parties_clientcontact WHERE id = %s", [contact.pk])
        return cursor.fetchone()


def _contact(**values: str) -> ClientContact:
    return ClientContact.objects.create(client=values.pop("client", None) or ClientFactory(), **values)


def test_the_fields_are_stored_sealed_under_the_contacts_own_key_and_read_plain():
    first = _contact(name="Piet Jansen", email="piet@klant.nl", phone="0612345678", role="Credit manager")
    second = _contact(name="Els de Wit", email="els@klant.nl")

    assert first.data_key_id and second.data_key_id and first.data_key_id != second.data_key_id
    for raw in _raw(first):
        assert raw.startswith(primitives.PREFIX)
    assert "Piet" not in json.dumps(_raw(first)) and _raw(second)[2:] == ("", "")  # empty stays empty
    keyring.keys_cache_clear()
    read = ClientContact.objects.get(pk=first.pk)
    assert (read.name, read.email, read.phone, read.role) == (
        "Piet Jansen",
        "piet@klant.nl",
        "0612345678",
        "Credit manager",
    )
    assert str(read) == "Piet Jansen" and not read.personal_data_erased


def test_a_contact_is_found_by_address_through_the_blind_index():
    contact = _contact(name="Piet Jansen", email="Piet@Klant.nl")
    _contact(name="Zonder adres")

    assert list(client_contacts_with_email(email=" piet@klant.NL ")) == [contact]
    assert not client_contacts_with_email(email="els@klant.nl").exists()
    assert not client_contacts_with_email(email="").exists()


def test_a_clients_addresses_leave_out_contacts_without_one_and_erased_ones():
    client = ClientFactory()
    kept = _contact(client=client, name="A", email="a@klant.nl")
    _contact(client=client, name="B")
    erased = _contact(client=client, name="C", email="c@klant.nl")
    _contact(name="Other client", email="d@elders.nl")
    with transaction.atomic():
        client_contacts_erase(contact_ids=[erased.pk], **ERASED_BY)

    assert client_contact_emails(client=client) == [kept.email]


def test_erasing_destroys_the_keys_and_the_rows_read_erased():
    contacts = [_contact(name=f"Contact {n}", email=f"c{n}@klant.nl", phone="020", role="r") for n in range(3)]
    with transaction.atomic():
        assert client_contacts_erase(contact_ids=[c.pk for c in contacts[:2]], **ERASED_BY) == 2

    for contact in contacts[:2]:
        contact.refresh_from_db()
        assert contact.personal_data_erased and (contact.email, contact.phone, contact.role) == ("", "", "")
        assert contact.email_address == "" and contact.email_index == ""
        assert DataKey.objects.get(pk=contact.data_key_id).destroyed_at is not None
        assert "Contact" not in json.dumps(_raw(contact))
    assert not client_contacts_with_email(email="c0@klant.nl").exists()
    assert ClientContact.objects.get(pk=contacts[2].pk).name == "Contact 2"
    with transaction.atomic():
        assert client_contacts_erase(contact_ids=[contacts[0].pk], **ERASED_BY) == 0  # again: nothing live left


def test_erasing_records_one_audit_entry_per_contact_itself():
    """The service audits its own erasure (who, why, which fields, the contact's client): no caller can forget to."""
    contacts = [_contact(name=f"Contact {n}", email=f"a{n}@klant.nl") for n in range(2)]
    untouched = _contact(name="Blijft")
    client_contacts_erase(
        contact_ids=[c.pk for c in contacts],
        actor="privacy officer",
        purpose="client_relationship",
        source="t",
        details={"request": "R-1"},
    )

    for contact in contacts:
        (entry,) = audit_events_for_subject(subject=contact)
        assert (entry.action, entry.actor_label, entry.purpose) == (
            AuditAction.UPDATE,
            "privacy officer",
            "client_relationship",
        )
        assert entry.details == {
            "request": "R-1",
            "action": "erase",
            "crypto_shredded": True,
            "client": contact.client_id,
        }
        assert entry.fields == [f"parties.ClientContact.{name}" for name in ("name", "email", "phone", "role")]
    assert not audit_events_for_subject(subject=untouched).exists()


def test_an_erasure_that_fails_leaves_neither_the_erasure_nor_its_audit_entry():
    contact = _contact(name="Piet", email="p@klant.nl")

    def erase_then_fail() -> None:
        with transaction.atomic():
            client_contacts_erase(contact_ids=[contact.pk], **ERASED_BY)
            raise RuntimeError("the caller's transaction fails after the erasure")

    with pytest.raises(RuntimeError):
        erase_then_fail()

    assert ClientContact.objects.get(pk=contact.pk).name == "Piet"
    assert not AuditEvent.objects.filter(subject_type="parties.ClientContact").exists()


def test_erasing_costs_the_same_statements_for_more_contacts():
    def statements(count: int) -> int:
        ids = [_contact(name="X", email=f"x{n}-{count}@klant.nl").pk for n in range(count)]
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            client_contacts_erase(contact_ids=ids, **ERASED_BY)
        return len(queries)

    statements(1)  # the audit log's first entry sets its chain up once
    assert statements(2) == statements(7)


def test_a_contact_whose_key_was_destroyed_elsewhere_has_no_address_to_write_to():
    contact = _contact(name="Piet", email="piet@klant.nl")
    with transaction.atomic():
        from incasso.crypto.services import data_keys_destroy

        data_keys_destroy(key_ids=[contact.data_key_id])
    contact = ClientContact.objects.get(pk=contact.pk)
    assert contact.personal_data_erased and contact.email_address == ""
    assert client_contact_emails(client=contact.client_id) == []


BEFORE = [("parties", "0005_client_relationship_ended_on")]
AFTER = [("parties", "0006_client_contact_fields_sealed")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_existing_contacts_and_the_reverse_opens_them_again():
    try:
        apps = _migrate(BEFORE)
        client = apps.get_model("parties", "Client").objects.create(code="m", name="M")
        plain = apps.get_model("parties", "ClientContact")
        plain.objects.create(client=client, name="Piet Jansen", email="Piet@Klant.nl", phone="06", role="CFO")
        plain.objects.create(client=client, name="Zonder adres")
        plain.objects.create(client=client, name="[erased]")  # erased before sealing existed

        _migrate(AFTER)
        keyring.keys_cache_clear()
        piet, other, erased = ClientContact.objects.order_by("pk")
        assert _raw(piet)[0].startswith(primitives.PREFIX) and "Piet" not in json.dumps(_raw(piet))
        assert (piet.name, piet.email, piet.phone, piet.role) == ("Piet Jansen", "Piet@Klant.nl", "06", "CFO")
        assert list(client_contacts_with_email(email="piet@klant.nl")) == [piet]
        assert other.data_key_id and other.email_index == ""
        assert erased.data_key_id is None and erased.personal_data_erased

        with transaction.atomic():
            client_contacts_erase(contact_ids=[other.pk], **ERASED_BY)
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, email, phone, role FROM parties_clientcontact ORDER BY id")
            rows = cursor.fetchall()
        assert rows == [
            ("Piet Jansen", "Piet@Klant.nl", "06", "CFO"),
            ("[erased]", "", "", ""),
            ("[erased]", "", "", ""),
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        sqlite_append_only_triggers(enabled=False)  # the erasure's audit entry: the flush after this test empties it
