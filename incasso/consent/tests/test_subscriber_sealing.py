"""Subscribers' addresses are sealed and found through a blind index; the suppression list is keyed with the
blind-index key, not SECRET_KEY."""

import pytest
from django.db import connection

from incasso.consent.identity import email_hash
from incasso.consent.models import Subscriber
from incasso.consent.newsletter import subscriber_subscribe
from incasso.consent.selectors import marketing_allowed, subscribers_with_email
from incasso.consent.services import suppression_add
from incasso.crypto import primitives
from incasso.crypto.keyring import blind_index
from incasso.crypto.services import subject_key_shred
from incasso.domain.data_map import ProcessingPurpose

pytestmark = pytest.mark.django_db


def _raw_email(subscriber: Subscriber) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM consent_subscriber WHERE id = %s", [subscriber.pk])
        return cursor.fetchone()[0]


def test_the_address_is_stored_sealed_and_found_through_its_index():
    subscriber_subscribe(email=" Ann@Example.NL", language="nl", where="/newsletter/")
    subscriber = subscribers_with_email(email="ann@example.nl").get()
    assert subscriber.email == "ann@example.nl"
    assert subscriber.data_key_id is not None
    raw = _raw_email(subscriber)
    assert raw.startswith(primitives.PREFIX) and "ann" not in raw
    assert subscriber.email_index == blind_index("consent.subscriber.email", "ann@example.nl")
    assert not subscribers_with_email(email="bob@example.nl").exists()


def test_asking_twice_keeps_one_subscription_per_address():
    subscriber_subscribe(email="ann@example.nl", language="nl", where="/newsletter/")
    subscriber_subscribe(email="ANN@example.nl", language="en", where="/newsletter/")
    assert Subscriber.objects.count() == 1
    assert Subscriber.objects.get().language == "en"


def test_shredding_the_subscribers_key_erases_the_address_and_its_index():
    subscriber_subscribe(email="ann@example.nl", language="nl", where="/newsletter/")
    subscriber = Subscriber.objects.get()
    subject_key_shred(subject=subscriber, actor="test", reason="test", purpose=ProcessingPurpose.NEWSLETTER)
    assert not subscribers_with_email(email="ann@example.nl").exists()


def test_the_suppression_list_is_keyed_with_the_blind_index_key_not_the_secret_key(settings):
    suppression_add(email="Bob@Example.nl", reason="objection")
    assert email_hash("bob@example.nl") == blind_index("consent.suppression", "bob@example.nl")
    settings.SECRET_KEY = "another secret key entirely"  # rotating the secret key keeps every objection
    assert not marketing_allowed(email="bob@example.nl")


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_existing_addresses_and_can_be_rerun_and_reversed():
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    from incasso.consent.selectors import document_current

    version = document_current(kind="consent_text", purpose="newsletter")
    call_command("migrate", "consent", "0002", verbosity=0)
    try:
        with connection.cursor() as cursor:
            for address in ("ann@example.nl", "bob@example.nl"):
                cursor.execute(
                    "INSERT INTO consent_subscriber (email, language, created_at, consent_version_id) "
                    "VALUES (%s, 'nl', CURRENT_TIMESTAMP, %s)",
                    [address, version.pk],
                )
        call_command("migrate", "consent", verbosity=0)
        # Re-runnable: a second run finds every subscriber done and changes nothing.
        executor = MigrationExecutor(connection)
        migration = executor.loader.get_migration("consent", "0003_subscriber_email_sealed_with_blind_index")
        state = executor.loader.project_state(("consent", "0003_subscriber_email_sealed_with_blind_index"))
        before = sorted(Subscriber.objects.values_list("pk", "email", "email_index"))
        migration.operations[3].code(state.apps, None)
        assert sorted(Subscriber.objects.values_list("pk", "email", "email_index")) == before
        ann = subscribers_with_email(email="ann@example.nl").get()
        assert ann.email == "ann@example.nl" and _raw_email(ann).startswith(primitives.PREFIX)
        call_command("migrate", "consent", "0002", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SELECT email FROM consent_subscriber ORDER BY email")
            assert [row[0] for row in cursor.fetchall()] == ["ann@example.nl", "bob@example.nl"]
    finally:
        call_command("migrate", "consent", verbosity=0)
