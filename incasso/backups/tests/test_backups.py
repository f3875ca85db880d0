"""Backups end to end through `incasso backup`, on whichever database the run uses (SQLite, or PostgreSQL when
DATABASE_URL is set): data comes back, erasures since the backup stay erased, and a bad key or file changes nothing.
"""

from contextlib import contextmanager
from datetime import UTC, datetime
from io import BytesIO

import pytest
from django.core.management.base import CommandError
from django.db import transaction

from incasso.audit.models import AuditEvent
from incasso.audit.verification import audit_chain_verify
from incasso.backups import erasures, services
from incasso.backups.archive import BackupRefused, Manifest, archive_read, archive_write, identity_parse
from incasso.backups.services import backup_key_generate
from incasso.backups.tests.helpers import backup, surname
from incasso.crypto.fields import is_unavailable
from incasso.crypto.models import DataKey
from incasso.crypto.services import subject_key_shred
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.parties.models import Debtor
from incasso.privacy.models import AnonymisedSubject
from incasso.privacy.retention.anonymise import anonymise_debtors

# What a backup holds is what other connections (pg_dump) see: committed rows, so these tests commit.
with_database = pytest.mark.django_db(transaction=True)


@with_database
@pytest.mark.usefixtures("_backup_key")
def test_a_restore_brings_the_data_back_but_not_the_people_erased_since(tmp_path, monkeypatch):
    monkeypatch.setattr(erasures, "CHUNK", 1)  # several transactions, as with many erasures
    creditor = ClientFactory()
    kept = DebtorFactory(client=creditor, surname="Jansen")
    shredded = DebtorFactory(client=creditor, surname="Pietersen")
    anonymised = DebtorFactory(client=creditor, surname="Bakker", postcode="3511 AB")
    file = tmp_path / "incasso.backup"

    created = backup("create", "--out", file)
    assert file.stat().st_mode & 0o777 == 0o600
    assert b"Jansen" not in file.read_bytes()

    kept.surname = "Veranderd"
    kept.save()
    subject_key_shred(subject=shredded, actor="test", reason="erasure request")
    with transaction.atomic():
        anonymise_debtors([anonymised.pk])
    later = DebtorFactory(client=creditor)

    restored = backup("restore", file)

    assert restored["backup_created_at"] == created["created_at"]
    assert (restored["anonymised"], restored["keys_destroyed"]) == (1, 1)
    assert surname(kept) == "Jansen"
    assert not Debtor.objects.filter(pk=later.pk).exists()
    assert is_unavailable(surname(shredded))
    assert DataKey.objects.get(pk=shredded.data_key_id).destroyed_at is not None
    assert is_unavailable(surname(anonymised))
    assert AnonymisedSubject.objects.get(debtor=anonymised).region == "35"
    assert DataKey.objects.get(pk=anonymised.data_key_id).destroyed_at is not None
    reapplied = AuditEvent.objects.filter(actor_label="backup restore", action="delete")
    assert sorted(reapplied.values_list("subject_id", flat=True)) == sorted([str(shredded.pk), str(anonymised.pk)])
    assert audit_chain_verify().whole

    # The re-applied erasures are themselves erasures of the live database: restoring the same backup again erases
    # the same people again.
    again = backup("restore", file)
    assert (again["anonymised"], again["keys_destroyed"]) == (1, 1)
    assert surname(kept) == "Jansen"
    assert is_unavailable(surname(shredded))


@with_database
@pytest.mark.usefixtures("_backup_key")
def test_a_wrong_key_or_an_altered_file_is_refused_and_changes_nothing(tmp_path, settings):
    debtor = DebtorFactory(client=ClientFactory(), surname="Jansen")
    file = tmp_path / "incasso.backup"
    backup("create", "--out", file)
    debtor.surname = "Nieuw"
    debtor.save()
    right_key = settings.INCASSO_BACKUP_KEY

    settings.INCASSO_BACKUP_KEY = backup_key_generate()
    with pytest.raises(CommandError, match="cannot be decrypted with INCASSO_BACKUP_KEY"):
        backup("restore", file)

    settings.INCASSO_BACKUP_KEY = right_key
    sealed = bytearray(file.read_bytes())
    for name, altered in (
        ("flipped", sealed[:1000] + bytes([sealed[1000] ^ 1]) + sealed[1001:]),
        ("cut", sealed[:-10]),
    ):
        (tmp_path / name).write_bytes(altered)
        with pytest.raises(CommandError, match="changed or cut off"):
            backup("restore", tmp_path / name)

    assert surname(debtor) == "Nieuw"


def test_without_a_key_nothing_is_written_or_restored(tmp_path, settings):
    settings.INCASSO_BACKUP_KEY = ""
    with pytest.raises(CommandError, match="INCASSO_BACKUP_KEY is not set"):
        backup("create", "--out", tmp_path / "incasso.backup")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "old.backup").write_bytes(b"anything")
    with pytest.raises(CommandError, match="INCASSO_BACKUP_KEY is not set"):
        backup("restore", tmp_path / "old.backup")


def test_a_dump_that_fails_leaves_no_backup(tmp_path, settings, monkeypatch, db):
    """pg_dump's failure is known only once its output has been read and encrypted: no file may look complete."""
    settings.INCASSO_BACKUP_KEY = backup_key_generate()

    @contextmanager
    def failing_dump(workdir):
        yield BytesIO(b"half a dump")
        raise BackupRefused("pg_dump failed: connection lost")

    monkeypatch.setattr(services, "dump_open", failing_dump)
    with pytest.raises(CommandError, match="pg_dump failed"):
        backup("create", "--out", tmp_path / "incasso.backup")
    assert list(tmp_path.iterdir()) == []


def test_the_manifest_and_dump_come_back_across_chunk_boundaries(tmp_path):
    """The manifest line is split from the dump wherever age's chunks fall; a dump of several chunks streams."""
    identity = identity_parse(backup_key_generate())
    manifest = Manifest(created_at=datetime(2026, 12, 7, 12, 0, tzinfo=UTC), vendor="sqlite")
    dump = bytes(range(256)) * 1000  # 256 KB: four of age's 64 KiB chunks
    archive_write(out=tmp_path / "file", manifest=manifest, dump=BytesIO(dump), identity=identity)
    assert archive_read(path=tmp_path / "file", payload=tmp_path / "payload", identity=identity) == manifest
    assert (tmp_path / "payload").read_bytes() == dump
