"""A restore never brings back someone erased: every kind of erasure made since the backup is made again, also one
made while the restore runs, and the live audit entries the backup lacks are exported and named in the chain."""

import datetime
import hashlib
import json
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction

from incasso.accounts.factories import UserFactory
from incasso.aml.models import AmlCheck
from incasso.aml.services import aml_checks_purge
from incasso.audit.models import AuditEvent
from incasso.audit.verification import audit_chain_verify
from incasso.backups import services
from incasso.backups.tests.helpers import backup, restores_recorded, surname
from incasso.consent.models import Subscriber, Suppression
from incasso.consent.newsletter import subscriber_subscribe
from incasso.consent.selectors import marketing_allowed
from incasso.consent.services import suppression_add
from incasso.crypto.fields import is_unavailable
from incasso.crypto.models import DataKey
from incasso.crypto.services import subject_key_shred
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.payments.models import StatementEntry, StatementImport
from incasso.privacy.retention.bookkeeping import PAYER_FIELDS
from incasso.privacy.retention.policies import retention_policies_ensure
from incasso.sensitive.models import SpecialCategoryRecord
from incasso.sensitive.services import special_categories_consent_withdraw

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_backup_key")]


def _aml_check(retain_until):
    return AmlCheck.objects.create(
        subject_type="parties.Client",
        subject_id="7",
        role="client",
        checked_on=datetime.date(2020, 1, 2),
        outcome="clear",
        evidence={"kvk": {"registered": True}},
        retain_until=retain_until,
        actor_label="test",
    )


def _statement_entry(booked):
    statement = StatementImport.objects.create(filename="s.xml", sha256="1" * 64)
    return StatementEntry.objects.create(
        statement_import=statement,
        entry_key="key-1",
        position=1,
        booking_date=booked,
        amount_cents=12_500,
        currency="EUR",
        counterparty_name="J. Jansen",
        counterparty_iban="NL91ABNA0417164300",
        remittance="betaling dossier 2018-000001",
        status="unmatched",
    )


def test_erasures_that_delete_or_blank_rows_are_made_again_after_a_restore(tmp_path):
    retention_policies_ensure()
    creditor = ClientFactory()
    debtor = DebtorFactory(client=creditor, surname="Jansen")
    staff = UserFactory(username="officer@example.nl")
    special = SpecialCategoryRecord.objects.create(
        debtor=debtor,
        category="health",
        basis="explicit_consent",
        consent_reference="form 7",
        content="diabetes",
        recorded_by=staff,
        data_key_id=debtor.data_key_id,
    )
    expired_check, kept_check = _aml_check(datetime.date(2025, 1, 1)), _aml_check(datetime.date(2031, 1, 1))
    entry = _statement_entry(datetime.date(2010, 5, 1))
    subscriber_subscribe(email="ann@example.nl", language="nl", where="/newsletter/")
    file = tmp_path / "incasso.backup"
    backup("create", "--out", file)

    # After the backup: each kind of erasure the system makes, through its own service.
    special_categories_consent_withdraw(debtor_ids=[debtor.pk], actor=staff, reason="consent withdrawn")
    assert aml_checks_purge(as_of=datetime.date(2026, 12, 7)) == 1
    call_command("retention", "sweep", "--purpose", "bookkeeping", "--date", "2026-12-07", stdout=StringIO())
    suppression_add(email="ann@example.nl", reason="objection")  # erases the subscriber
    assert StatementEntry.objects.get(pk=entry.pk).counterparty_name == ""
    assert not Subscriber.objects.exists()

    restored = backup("restore", file)

    assert not SpecialCategoryRecord.objects.filter(pk=special.pk).exists()
    assert list(AmlCheck.objects.values_list("pk", flat=True)) == [kept_check.pk]
    assert not AmlCheck.objects.filter(pk=expired_check.pk).exists()
    blanked = StatementEntry.objects.values(*PAYER_FIELDS).get(pk=entry.pk)
    assert set(blanked.values()) == {""}
    assert not Subscriber.objects.exists()
    assert Suppression.objects.count() == 1
    assert not marketing_allowed(email="ann@example.nl")
    assert surname(debtor) == "Jansen"  # not erased: only the records held on the consent went
    assert (restored["rows_deleted"], restored["entries_blanked"], restored["suppressions_kept"]) == (3, 1, 1)
    again = AuditEvent.objects.filter(actor_label="backup restore", action="delete")
    assert {(e.subject_type, e.subject_id) for e in again} >= {
        ("sensitive.SpecialCategoryRecord", str(special.pk)),
        ("aml.AmlCheck", str(expired_check.pk)),
    }
    assert audit_chain_verify().whole


def _in_thread(work):
    """Run ``work`` on a connection of its own (another process's erasure), returning what it raised."""
    raised = []

    def run():
        try:
            work()
        except Exception as exc:
            raised.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    return raised


def _lock_timeout_short():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")


def test_an_erasure_tried_while_the_restore_holds_the_database_cannot_slip_between(tmp_path, monkeypatch):
    """Between reading what was erased and replacing the database, no erasure can commit: it would be lost."""
    debtor = DebtorFactory(client=ClientFactory(), surname="Pietersen")
    file = tmp_path / "incasso.backup"
    backup("create", "--out", file)
    attempts = []
    read = services.erasures_since

    def erasure_meanwhile(**kwargs):
        def shred():
            _lock_timeout_short()
            subject_key_shred(subject=debtor, actor="test", reason="erasure request")

        attempts.append(_in_thread(shred))
        return read(**kwargs)

    monkeypatch.setattr(services, "erasures_since", erasure_meanwhile)
    backup("restore", file)

    [raised] = attempts
    assert len(raised) == 1 and isinstance(raised[0], DatabaseError)  # locked out: it did not happen
    assert surname(debtor) == "Pietersen"
    assert DataKey.objects.get(pk=debtor.data_key_id).destroyed_at is None
    assert audit_chain_verify().whole


def test_an_erasure_under_way_when_the_restore_starts_is_waited_for_and_kept(tmp_path, monkeypatch):
    """An erasure whose transaction is open when the restore begins: the restore waits for it and erases again
    (PostgreSQL), or is refused and changes nothing (SQLite's one writer); either way the person stays erased."""
    debtor = DebtorFactory(client=ClientFactory(), surname="Bakker")
    file = tmp_path / "incasso.backup"
    backup("create", "--out", file)
    decrypted = services.archive_read
    written, finished = threading.Event(), []

    def shred_slowly():
        with transaction.atomic():
            subject_key_shred(subject=debtor, actor="test", reason="erasure request")
            written.set()
            threading.Event().wait(1.0)  # still open when the restore locks the database

    def erasure_under_way(**kwargs):
        manifest = decrypted(**kwargs)
        thread = threading.Thread(target=lambda: finished.append(_in_thread(shred_slowly)))
        thread.start()
        assert written.wait(10)
        finished.append(thread)
        return manifest

    monkeypatch.setattr(services, "archive_read", erasure_under_way)
    try:
        restored = backup("restore", file)
    except Exception:
        assert connection.vendor == "sqlite"  # PostgreSQL waits
        restored = None
    finished[0].join(30)

    assert finished[1] == []  # the erasure committed
    assert is_unavailable(surname(debtor))
    assert DataKey.objects.get(pk=debtor.data_key_id).destroyed_at is not None
    if restored is not None:
        assert restored["keys_destroyed"] == 1
    else:
        assert restores_recorded() == 0
    assert audit_chain_verify().whole


def test_the_restore_records_itself_and_exports_the_audit_entries_it_replaces(tmp_path):
    debtor = DebtorFactory(client=ClientFactory())
    file = tmp_path / "incasso.backup"
    # The backup's own entry ("backup create") is written after the dump: it is one the backup lacks too.
    before = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    backup("create", "--out", file)
    subject_key_shred(subject=debtor, actor="test", reason="erasure request")
    lost = list(AuditEvent.objects.filter(sequence__gt=before).order_by("sequence").values_list("sequence", "hash"))
    assert lost

    restored = backup("restore", file, "--audit-export", tmp_path / "replaced.jsonl")

    export = tmp_path / "replaced.jsonl"
    assert restored["audit_export"] == str(export)
    assert export.stat().st_mode & 0o777 == 0o600
    exported = [json.loads(line) for line in export.read_text().splitlines()]
    assert [(entry["sequence"], entry["hash"]) for entry in exported] == lost
    assert restored["audit_entries_exported"] == len(lost)
    record = AuditEvent.objects.get(actor_label="backup restore", subject_type="")
    assert record.details["file"] == "incasso.backup"
    assert record.details["file_sha256"] == hashlib.sha256(file.read_bytes()).hexdigest()
    assert record.details["operator"]
    assert record.details["audit_export"]["sha256"] == hashlib.sha256(export.read_bytes()).hexdigest()
    assert record.details["live_head"]["hash"] == lost[-1][1]
    out = StringIO()
    call_command("audit", "verify", stdout=out)  # exits non-zero on a broken chain
    assert audit_chain_verify().whole
