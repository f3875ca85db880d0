"""P-3: a rectification's old and new value are sealed under the debtor's data key (destroying it erases the history
too, and the retention sweep's blanking still writes its marker), and a verification code keeps only a masked
address; the migrations do both to existing rows, and back."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core import mail
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from incasso.accounts.factories import UserFactory
from incasso.core.testing import sqlite_append_only_triggers
from incasso.crypto import keyring, primitives
from incasso.crypto.fields import is_unavailable
from incasso.crypto.services import subject_key_shred
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.rights.execution import request_execute
from incasso.rights.export import subject_records
from incasso.rights.models import RectificationChange, RequestChannel, RequestKind, VerificationCode
from incasso.rights.services import (
    Requester,
    address_masked,
    request_verification_send,
    request_verify_staff,
    requests_receive,
)

pytestmark = pytest.mark.django_db


def _raw(change: RectificationChange) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT old_value, new_value FROM rights_rectificationchange WHERE id = %s", [change.pk])
        return cursor.fetchone()


def _rectified(**debtor_fields):
    debtor = DebtorFactory(client=ClientFactory(is_agency=True), email="jan@example.nl", **debtor_fields)
    officer = UserFactory()
    (request,) = requests_receive(
        kind=RequestKind.RECTIFICATION,
        channel=RequestChannel.PHONE,
        requester=Requester(name="Jan", email="jan@example.nl"),
        actor=officer,
        debtors=[debtor],
        corrections={"surname": "de Wit", "city": "Utrecht"},
    )
    request_verify_staff(request=request, actor=officer, note="called back on the number on file")
    request_execute(request=request, actor=officer)
    return debtor


def test_the_old_and_new_values_are_sealed_under_the_debtors_key_and_read_back():
    debtor = _rectified(surname="Jansen", city="Amsterdam")

    changes = list(RectificationChange.objects.order_by("field"))
    assert {c.data_key_id for c in changes} == {debtor.data_key_id}
    for change in changes:
        assert all(value.startswith(primitives.PREFIX) for value in _raw(change))
    assert "Jansen" not in json.dumps([_raw(c) for c in changes])
    keyring.keys_cache_clear()
    read = {(c.field, c.old_value, c.new_value) for c in RectificationChange.objects.all()}
    assert read == {("city", "Amsterdam", "Utrecht"), ("surname", "Jansen", "de Wit")}


def test_destroying_the_key_erases_the_history_everywhere_it_is_shown():
    debtor = _rectified(surname="Jansen", city="Amsterdam")
    subject_key_shred(subject=debtor, actor="test", reason="erasure request")
    keyring.keys_cache_clear()

    for change in RectificationChange.objects.all():
        assert is_unavailable(change.old_value) and is_unavailable(change.new_value)
        assert change.field and change.actor_label  # what changed, when and by whom stays
    records = subject_records(target="parties.Debtor", ids=[debtor.pk])
    history = [r for r in records if r["model"] == "rights.RectificationChange"]
    assert len(history) == 2 and "Jansen" not in json.dumps(history, default=str)


def test_the_sweeps_marker_is_written_in_bulk_and_reads_as_written_but_plain_text_is_refused():
    _rectified(surname="Jansen", city="Amsterdam")
    with pytest.raises(ValueError, match="encrypted"), transaction.atomic():
        RectificationChange.objects.update(old_value="Jansen")
    RectificationChange.objects.update(old_value="[anonymised]", new_value="[anonymised]")
    assert {(c.old_value, c.new_value) for c in RectificationChange.objects.all()} == {("[anonymised]",) * 2}


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("jan@example.nl", "j***@e***.nl"),
        (" Piet.Bakker@Mail.Provider.co.uk ", "p***@m***.uk"),
        ("a@localhost", "a***@l***"),
        ("nonsense", "***"),
    ],
)
def test_an_address_is_masked_to_its_first_letters_and_top_level_domain(address, masked):
    assert address_masked(address) == masked


def test_a_verification_code_keeps_only_the_masked_address():
    debtor = DebtorFactory(email="jan@example.nl")
    (request,) = requests_receive(
        kind=RequestKind.ACCESS,
        channel=RequestChannel.EMAIL,
        requester=Requester(name="Jan", email="jan@example.nl"),
        actor=UserFactory(),
        debtors=[debtor],
    )
    assert request_verification_send(request=request)
    assert mail.outbox[-1].to == ["jan@example.nl"]  # the code still goes to the address itself
    assert VerificationCode.objects.get().sent_to == "j***@e***.nl"
    with connection.cursor() as cursor:
        cursor.execute("SELECT sent_to FROM rights_verificationcode")
        assert cursor.fetchall() == [("j***@e***.nl",)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_migrations_seal_the_history_mask_the_addresses_and_go_back():
    live = DebtorFactory(surname="Jansen")
    erased = DebtorFactory(client=live.client, surname="Bakker")
    try:
        _migrate([("rights", "0002_requester_fields_sealed")])
        due = datetime.date(2026, 12, 31)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO rights_rightsrequest (reference, intake_key, kind, channel, status, requester_name, "
                "requester_email, requester_phone, message, source_message_id, subject_kind, subscriber_email, "
                "received_at, due_on, extension_reason, verification_method, verification_note, instruction, "
                "corrections, outcome) VALUES ('RR-1', 'k', 'rectification', 'phone', 'completed', '', '', '', '', "
                "'', 'debtor', '', %s, %s, '', '', '', '', '{}', '')",
                ["2026-12-01 10:00:00+00:00", due],
            )
            cursor.execute("SELECT id FROM rights_rightsrequest WHERE reference = 'RR-1'")
            (request_id,) = cursor.fetchone()
            for debtor, field, old, new in (
                (live, "surname", "Jansen", "de Wit"),
                (live, "city", "[anonymised]", "[anonymised]"),
                (erased, "surname", "Bakker", "Smit"),
            ):
                cursor.execute(
                    "INSERT INTO rights_rectificationchange (request_id, debtor_id, field, old_value, new_value, at, "
                    "actor_label) VALUES (%s, %s, %s, %s, %s, %s, 'officer')",
                    [request_id, debtor.pk, field, old, new, "2026-12-01 10:00:00+00:00"],
                )
            cursor.execute(
                "INSERT INTO rights_verificationcode (request_id, code_hash, sent_to, created_at, expires_at, attempts) "
                "VALUES (%s, 'x', 'jan@example.nl', %s, %s, 0)",
                [request_id, "2026-12-01 10:00:00+00:00", "2026-12-01 11:00:00+00:00"],
            )
        subject_key_shred(subject=erased, actor="test", reason="erasure request")

        _migrate([("rights", "0004_verification_code_address_masked")])
        keyring.keys_cache_clear()
        sealed, swept, gone = RectificationChange.objects.order_by("pk")
        assert all(value.startswith(primitives.PREFIX) for value in _raw(sealed))
        assert (sealed.old_value, sealed.new_value, sealed.data_key_id) == ("Jansen", "de Wit", live.data_key_id)
        assert (swept.old_value, swept.new_value) == ("[anonymised]", "[anonymised]")
        assert _raw(gone) == ("[erased]", "[erased]") and is_unavailable(gone.old_value)
        assert VerificationCode.objects.get().sent_to == "j***@e***.nl"

        _migrate([("rights", "0002_requester_fields_sealed")])
        with connection.cursor() as cursor:
            cursor.execute("SELECT field, old_value, new_value FROM rights_rectificationchange ORDER BY id")
            assert cursor.fetchall() == [
                ("surname", "Jansen", "de Wit"),
                ("city", "[anonymised]", "[anonymised]"),
                ("surname", "[erased]", "[erased]"),
            ]
            cursor.execute("SELECT sent_to FROM rights_verificationcode")
            assert cursor.fetchall() == [("j***@e***.nl",)]  # not kept, so not restored
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        sqlite_append_only_triggers(enabled=False)  # the shred was audited: the flush after the test must empty it
