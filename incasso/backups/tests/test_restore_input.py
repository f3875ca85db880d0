"""What a restore refuses, with a clear message and nothing changed (not a backup, another database, a newer
schema), what it takes (an older schema, brought forward; an empty database with --without-live-database)."""

import dataclasses
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from incasso.aml.models import AmlCheck
from incasso.audit.models import AuditEvent
from incasso.audit.verification import audit_chain_verify
from incasso.backups.archive import archive_read, archive_write, identity_parse
from incasso.backups.services import backup_key_generate
from incasso.backups.tests.helpers import backup, restores_recorded, surname
from incasso.parties.factories import ClientFactory, DebtorFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_backup_key")]


def _identity(settings):
    return identity_parse(settings.INCASSO_BACKUP_KEY)


def _rewritten(settings, file, out, *, manifest=None, payload=None, line=None):
    """``file`` decrypted and encrypted again to ``out`` under the same key, with the manifest, the dump or the
    manifest's line replaced."""
    plain = out.with_suffix(".plain")
    found = archive_read(path=file, payload=plain, identity=_identity(settings))
    head = line if line is not None else (manifest or found).encode()
    with (out.with_suffix(".dump")).open("wb") as dump:
        dump.write(payload if payload is not None else plain.read_bytes())
    with (out.with_suffix(".dump")).open("rb") as dump:
        archive_write(out=out, manifest=_Raw(head), dump=dump, identity=_identity(settings))
    return out


@dataclasses.dataclass
class _Raw:
    line: bytes

    def encode(self):
        return self.line


def _refused(file, match, debtor, tmp_path):
    with pytest.raises(CommandError, match=match):
        backup("restore", file)
    assert surname(debtor) == "Changed since"
    assert restores_recorded() == 0
    assert not list(tmp_path.glob("*.audit-replaced-*"))


@pytest.fixture
def made(tmp_path):
    debtor = DebtorFactory(client=ClientFactory(), surname="Jansen")
    file = tmp_path / "incasso.backup"
    created = backup("create", "--out", file)
    debtor.surname = "Changed since"
    debtor.save()
    return file, debtor, created


def test_what_is_not_a_backup_is_refused_and_changes_nothing(made, tmp_path, settings):
    file, debtor, _created = made
    (tmp_path / "notes.txt").write_text("not a backup at all\n")
    _refused(tmp_path / "notes.txt", "cannot be decrypted with INCASSO_BACKUP_KEY", debtor, tmp_path)
    _refused(tmp_path / "missing.backup", "cannot read", debtor, tmp_path)

    no_manifest = _rewritten(settings, file, tmp_path / "a.backup", line=b"x" * 70_000)
    _refused(no_manifest, "has no manifest", debtor, tmp_path)
    other_format = _rewritten(settings, file, tmp_path / "b.backup", line=b'{"format": "tar/1"}\n')
    _refused(other_format, "not a backup of this kind", debtor, tmp_path)
    first_format = _rewritten(settings, file, tmp_path / "c.backup", line=b'{"format": "incasso-backup/1"}\n')
    _refused(first_format, "does not record its schema", debtor, tmp_path)
    garbage = _rewritten(settings, file, tmp_path / "d.backup", line=b"{not json\n")
    _refused(garbage, "manifest is unreadable", debtor, tmp_path)
    not_a_dump = _rewritten(settings, file, tmp_path / "e.backup", payload=b"PGDMP? SQLite? neither" * 100)
    _refused(not_a_dump, "holds no (readable SQLite database|pg_dump archive)", debtor, tmp_path)


def test_a_backup_of_the_other_database_or_a_newer_schema_is_refused(made, tmp_path, settings):
    file, debtor, _created = made
    manifest = archive_read(path=file, payload=tmp_path / "plain", identity=_identity(settings))
    other = "postgresql" if manifest.vendor == "sqlite" else "sqlite"
    elsewhere = _rewritten(settings, file, tmp_path / "a.backup", manifest=dataclasses.replace(manifest, vendor=other))
    _refused(elsewhere, f"a backup of a {other} database cannot be restored into {manifest.vendor}", debtor, tmp_path)

    future = dataclasses.replace(
        manifest, migrations=(*manifest.migrations, "parties.9999_from_the_future"), app_version="9.0.0"
    )
    newer = _rewritten(settings, file, tmp_path / "b.backup", manifest=future)
    _refused(newer, "schema is newer than this code.*parties.9999_from_the_future.*version 9.0.0", debtor, tmp_path)


def test_a_backup_of_an_older_schema_is_brought_forward_after_loading(tmp_path):
    debtor = DebtorFactory(client=ClientFactory(), surname="Jansen")
    call_command("migrate", "aml", "zero", verbosity=0, stdout=StringIO())
    try:
        file = tmp_path / "incasso.backup"
        backup("create", "--out", file)
    finally:
        call_command("migrate", "aml", verbosity=0, stdout=StringIO())
    AmlCheck.objects.create(
        subject_type="parties.Client",
        subject_id="7",
        role="client",
        checked_on="2026-01-02",
        outcome="clear",
        retain_until="2031-01-02",
        actor_label="test",
    )

    restored = backup("restore", file)

    assert restored["migrated"] == ["aml.0001_aml_checks"]
    assert ("aml", "0001_aml_checks") in MigrationRecorder(connection).applied_migrations()
    assert AmlCheck.objects.count() == 0  # the table is there, as the backup had no checks
    assert surname(debtor) == "Jansen"
    record = AuditEvent.objects.get(actor_label="backup restore", subject_type="")
    assert record.details["migrated"] == ["aml.0001_aml_checks"]
    assert audit_chain_verify().whole


def _database_emptied():
    """The live database lost: every table gone."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            return
    connection.disable_constraint_checking()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TABLE "{name}"')
    finally:
        connection.enable_constraint_checking()


def test_into_an_empty_database_only_with_without_live_database(tmp_path, settings):
    debtor = DebtorFactory(client=ClientFactory(), surname="Jansen")
    file = tmp_path / "incasso.backup"
    created = backup("create", "--out", file)
    _database_emptied()

    with pytest.raises(
        CommandError, match=r"cannot say what was erased since the backup \(it has no table .*--without-live-database"
    ):
        backup("restore", file)
    with connection.cursor() as cursor:
        assert connection.introspection.table_names(cursor) == []  # nothing changed: still empty

    restored = backup("restore", file, "--without-live-database")

    assert restored["backup_created_at"] == created["created_at"]
    assert restored["erasures_since"] is None
    assert restored["audit_export"] is None
    assert surname(debtor) == "Jansen"
    record = AuditEvent.objects.get(actor_label="backup restore", subject_type="")
    assert record.details["erasures_reapplied"] is False
    assert audit_chain_verify().whole
    assert not list(tmp_path.glob("*.audit-replaced-*"))
    # The key that made the backup is the one that restores it: another one cannot read it.
    settings.INCASSO_BACKUP_KEY = backup_key_generate()
    with pytest.raises(CommandError, match="cannot be decrypted"):
        backup("restore", file, "--without-live-database")
