"""P-3: a direct-debit mandate's account holder and IBAN are sealed under the debtor's data key, so destroying the key
makes them unreadable and leaves the mandate out of the collection file; the migration seals existing mandates and
its reverse opens them again."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from incasso.arrangements.models import Mandate
from incasso.arrangements.sepa import DirectDebitError, direct_debit_file, mandate_create
from incasso.arrangements.tests.conftest import FIRST_DUE, TODAY, owing_case, propose
from incasso.core.testing import sqlite_append_only_triggers
from incasso.crypto import keyring, primitives
from incasso.crypto.fields import is_unavailable
from incasso.crypto.services import subject_key_shred
from incasso.rights.export import subject_records

pytestmark = pytest.mark.django_db


def _raw(mandate: Mandate) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, iban FROM arrangements_mandate WHERE id = %s", [mandate.pk])
        return cursor.fetchone()


def _mandated(creditor, reference: str = "MND-1"):
    case = owing_case(creditor)
    propose(case, months=3)
    mandate = mandate_create(
        case=case, reference=reference, signed_on=TODAY, iban="NL69 INGB 0123 4567 89", name="J. Jansen"
    )
    return case, mandate


def test_name_and_iban_are_stored_sealed_under_the_debtors_key_and_read_back(creditor):
    case, mandate = _mandated(creditor)

    assert mandate.data_key_id == case.debtor.data_key_id
    assert all(value.startswith(primitives.PREFIX) for value in _raw(mandate))
    assert "Jansen" not in json.dumps(_raw(mandate)) and "INGB" not in json.dumps(_raw(mandate))
    keyring.keys_cache_clear()
    read = Mandate.objects.get(pk=mandate.pk)
    assert (read.name, read.iban, read.reference) == ("J. Jansen", "NL69INGB0123456789", "MND-1")
    assert b"NL69INGB0123456789" in direct_debit_file(collection_date=FIRST_DUE, version="pain.008.001.02")


def test_once_the_key_is_destroyed_the_mandate_reads_erased_and_is_not_collected(creditor):
    case, mandate = _mandated(creditor)
    other_case, _other = _mandated(creditor, reference="MND-2")
    subject_key_shred(subject=case.debtor, actor="test", reason="erasure request")
    keyring.keys_cache_clear()

    read = Mandate.objects.get(pk=mandate.pk)
    assert is_unavailable(read.name) and is_unavailable(read.iban)
    records = subject_records(target="parties.Debtor", ids=[case.debtor_id])
    (record,) = [r for r in records if r["model"] == "arrangements.Mandate"]
    assert "Jansen" not in json.dumps(record, default=str) and "INGB" not in json.dumps(record, default=str)
    xml = direct_debit_file(collection_date=FIRST_DUE, version="pain.008.001.08")
    assert b"MND-2" in xml and b"MND-1" not in xml and other_case.number.encode() in xml
    with pytest.raises(ValidationError, match="erased"):
        mandate_create(case=case, reference="MND-3", signed_on=TODAY, iban="NL69INGB0123456789", name="J")


def test_a_file_with_only_erased_mandates_collects_nothing(creditor):
    case, _mandate = _mandated(creditor)
    subject_key_shred(subject=case.debtor, actor="test", reason="erasure request")
    with pytest.raises(DirectDebitError, match="nothing to collect"):
        direct_debit_file(collection_date=FIRST_DUE, version="pain.008.001.02")


def test_a_copied_ciphertext_does_not_open_in_another_mandate_of_the_same_debtor(creditor):
    case, first = _mandated(creditor)
    second = mandate_create(case=case, reference="MND-9", signed_on=TODAY, iban="NL91ABNA0417164300", name="Other")
    Mandate.objects.filter(pk=second.pk).update(iban=primitives.Sealed(_raw(first)[1]))
    assert is_unavailable(Mandate.objects.get(pk=second.pk).iban)


BEFORE = [("arrangements", "0002_promise_settled_on")]
AFTER = [("arrangements", "0003_mandate_name_and_iban_sealed")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_existing_mandates_and_the_reverse_opens_them_again(creditor):
    live, erased = owing_case(creditor), owing_case(creditor)
    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            for case, reference, iban, name in (
                (live, "M-1", "NL69INGB0123456789", "J. Jansen"),
                (erased, "M-2", "NL91ABNA0417164300", "P. Bakker"),
            ):
                cursor.execute(
                    "INSERT INTO arrangements_mandate (case_id, reference, signed_on, iban, name, sequence, "
                    "created_at) VALUES (%s, %s, %s, %s, %s, 'FRST', %s)",
                    [case.pk, reference, TODAY, iban, name, "2026-10-01 10:00:00+00:00"],
                )
        subject_key_shred(subject=erased.debtor, actor="test", reason="erasure request")

        _migrate(AFTER)
        keyring.keys_cache_clear()
        first, second = Mandate.objects.order_by("pk")
        assert all(value.startswith(primitives.PREFIX) for value in _raw(first))
        assert (first.name, first.iban, first.data_key_id) == (
            "J. Jansen",
            "NL69INGB0123456789",
            live.debtor.data_key_id,
        )
        assert _raw(second) == ("[erased]", "[erased]") and is_unavailable(second.name) and is_unavailable(second.iban)

        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT reference, name, iban FROM arrangements_mandate ORDER BY id")
            assert cursor.fetchall() == [
                ("M-1", "J. Jansen", "NL69INGB0123456789"),
                ("M-2", "[erased]", "[erased]"),
            ]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        sqlite_append_only_triggers(enabled=False)  # the shred was audited: the flush after the test must empty it
