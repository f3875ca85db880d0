"""Dumping and restoring the database with its own tools: the sqlite3 backup API (a consistent copy page by page,
while others keep writing) and PostgreSQL's ``pg_dump --format=custom`` / ``pg_restore`` (Debian's
postgresql-client). Each dump is read as a stream by ``archive.archive_write``; nothing is held in memory whole.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.db import connection

from incasso.backups.archive import BackupRefused

VENDORS = ("sqlite", "postgresql")


def vendor() -> str:
    if connection.vendor not in VENDORS:
        raise BackupRefused(f"backups of a {connection.vendor} database are not supported")
    return connection.vendor


def _postgresql_environment() -> dict[str, str]:
    """libpq's variables for the configured database: the password never appears on a command line."""
    settings = connection.settings_dict
    environment = dict(os.environ)
    for variable, value in (
        ("PGHOST", settings.get("HOST")),
        ("PGPORT", settings.get("PORT")),
        ("PGUSER", settings.get("USER")),
        ("PGPASSWORD", settings.get("PASSWORD")),
        ("PGDATABASE", settings.get("NAME")),
        ("PGSSLMODE", settings.get("OPTIONS", {}).get("sslmode")),
    ):
        if value:
            environment[variable] = str(value)
    return environment


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupRefused(f"{name} is not installed (Debian package postgresql-client)")
    return found


@contextmanager
def dump_open(workdir: Path) -> Iterator[IO[bytes]]:
    """The database's dump as a stream to read to its end; raises ``BackupRefused`` afterwards if the dump failed."""
    if vendor() == "sqlite":
        copy = workdir / "dump.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        with copy.open("rb") as dump:
            yield dump
        return
    errors = workdir / "pg_dump.log"
    with errors.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - a fixed program and arguments; the database from libpq's variables
            [_program("pg_dump"), "--format=custom", "--no-password"],
            stdout=subprocess.PIPE,
            stderr=log,
            env=_postgresql_environment(),
        )
        assert process.stdout is not None  # noqa: S101 - stdout=PIPE
        try:
            yield process.stdout
        finally:
            process.stdout.close()
            returncode = process.wait()
    if returncode != 0:
        raise BackupRefused(f"pg_dump failed: {errors.read_text(errors='replace').strip()}")


def _sqlite_restore(payload: Path) -> None:
    source = sqlite3.connect(f"file:{payload}?mode=ro", uri=True)
    try:
        try:
            verdict = source.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupRefused(f"the backup holds no readable SQLite database ({exc})") from None
        if verdict != ("ok",):
            raise BackupRefused(f"the backup's SQLite database is damaged: {verdict}")
        connection.ensure_connection()
        # One step: the destination is replaced in a single write transaction, or not at all.
        source.backup(connection.connection)
    finally:
        source.close()


def _postgresql_restore(payload: Path) -> None:
    environment = _postgresql_environment()
    if not environment.get("PGDATABASE"):
        # Without a database pg_restore would print the dump as SQL instead of restoring it.
        raise BackupRefused("the database to restore into has no name")
    program = _program("pg_restore")
    listing = subprocess.run(  # noqa: S603 - fixed program, our own file
        [program, "--list", str(payload)], capture_output=True, env=environment, check=False
    )
    if listing.returncode != 0:
        raise BackupRefused(f"the backup holds no pg_dump archive: {listing.stderr.decode(errors='replace').strip()}")
    # Django's connection would hold locks and cached plans on the tables about to be replaced.
    connection.close()
    restored = subprocess.run(  # noqa: S603 - fixed program and arguments
        [
            program,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={environment['PGDATABASE']}",
            str(payload),
        ],
        capture_output=True,
        env=environment,
        check=False,
    )
    if restored.returncode != 0:
        # One transaction: nothing was changed.
        raise BackupRefused(f"pg_restore failed, nothing restored: {restored.stderr.decode(errors='replace').strip()}")


def database_replace(payload: Path) -> None:
    """Replace the whole database with the dump in ``payload``, in one transaction on either database."""
    if vendor() == "sqlite":
        _sqlite_restore(payload)
    else:
        _postgresql_restore(payload)


@contextmanager
def private_directory() -> Iterator[Path]:
    """An owner-only temporary directory for the plaintext dump, removed afterwards whatever happens."""
    with tempfile.TemporaryDirectory(prefix="incasso-backup-") as name:
        os.chmod(name, 0o700)
        yield Path(name)
