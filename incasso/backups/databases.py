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
from typing import IO, Any

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


def payload_check(payload: Path) -> None:
    """Refuse, before anything is touched, a dump the database's own tools cannot read."""
    if vendor() == "sqlite":
        source = sqlite3.connect(f"file:{payload}?mode=ro", uri=True)
        try:
            verdict = source.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupRefused(f"the backup holds no readable SQLite database ({exc})") from None
        finally:
            source.close()
        if verdict != ("ok",):
            raise BackupRefused(f"the backup's SQLite database is damaged: {verdict}")
        return
    listing = subprocess.run(  # noqa: S603 - fixed program, our own file
        [_program("pg_restore"), "--list", str(payload)],
        capture_output=True,
        env=_postgresql_environment(),
        check=False,
    )
    if listing.returncode != 0:
        raise BackupRefused(f"the backup holds no pg_dump archive: {listing.stderr.decode(errors='replace').strip()}")


@contextmanager
def replacement_prepared(payload: Path) -> Iterator[None]:
    """What the replacement needs outside the transaction: on SQLite the dump attached as ``backup`` and the
    foreign-key checks off (neither can change inside a transaction; they are checked at the end instead)."""
    if vendor() != "sqlite":
        yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("ATTACH DATABASE %s AS backup", [str(payload)])
    try:
        if not connection.disable_constraint_checking():
            raise BackupRefused("the database is in a transaction: a restore runs on its own")
        try:
            yield
        finally:
            connection.enable_constraint_checking()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DETACH DATABASE backup")


def database_lock() -> None:
    """Inside the restore's transaction: keep every other writer out until it commits, waiting for those under way.

    What was erased is read after this, so an erasure either committed before it (and is read) or waits until the
    restore has committed (and then erases in the restored database, or fails and did not happen).
    """
    with connection.cursor() as cursor:
        if vendor() == "sqlite":
            # Takes SQLite's one write lock now, whatever the transaction mode: setting a value is a write (the same
            # value; the database may be empty).
            cursor.execute("PRAGMA main.user_version")
            cursor.execute(f"PRAGMA main.user_version = {int(cursor.fetchone()[0])}")
            return
        cursor.execute(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname = current_schema()"
        )
        tables = [row[0] for row in cursor.fetchall()]
        if tables:
            # The lock the replacement takes anyway, taken before anything is read.
            cursor.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")


def _sqlite_tables(cursor: Any, schema: str) -> set[str]:
    cursor.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'")  # noqa: S608 - our own names
    return {row[0] for row in cursor.fetchall()}


def _sqlite_replace() -> None:
    """Replace every table, index, view and trigger of the live database with the attached backup's, rows included,
    in the caller's transaction (the sqlite3 backup API cannot run inside one)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM main.sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
        live = cursor.fetchall()
        for kind in ("view", "table"):
            for found_kind, name in live:
                if found_kind == kind:
                    cursor.execute(f'DROP {kind.upper()} IF EXISTS main."{name}"')
        if "sqlite_sequence" in _sqlite_tables(cursor, "main"):
            cursor.execute("DELETE FROM main.sqlite_sequence")
        cursor.execute(
            "SELECT type, name, sql FROM backup.sqlite_master WHERE sql IS NOT NULL "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
        )
        objects = cursor.fetchall()
        for kind, name, sql in objects:
            if kind != "table":
                continue
            cursor.execute(sql)
            cursor.execute(f'PRAGMA backup.table_xinfo("{name}")')
            # Generated columns (hidden 2, 3) are computed, not copied.
            columns = ", ".join(f'"{row[1]}"' for row in cursor.fetchall() if row[6] == 0)
            cursor.execute(f'INSERT INTO main."{name}" ({columns}) SELECT {columns} FROM backup."{name}"')  # noqa: S608
        if "sqlite_sequence" in _sqlite_tables(cursor, "backup"):
            cursor.execute("INSERT INTO main.sqlite_sequence (name, seq) SELECT name, seq FROM backup.sqlite_sequence")
        # Indexes after the rows (one sort each), triggers last (the copy must not fire them).
        for kind_wanted in ("index", "view", "trigger"):
            for kind, _name, sql in objects:
                if kind == kind_wanted:
                    cursor.execute(sql)
    # The foreign-key checks were off for the copy: the copy must hold them all.
    connection.check_constraints()


def _postgresql_settings(cursor: Any) -> dict[str, str]:
    cursor.execute("SELECT name, current_setting(name) FROM pg_settings WHERE context IN ('user', 'superuser')")
    return dict(cursor.fetchall())


def _postgresql_replace(workdir: Path, payload: Path) -> None:
    """Replace the schema with the dump, in the caller's transaction: pg_restore writes the dump as SQL, and its
    statements and COPY data are sent on this connection (psql would run them in a transaction of its own)."""
    environment = _postgresql_environment()
    errors = workdir / "pg_restore.log"
    with connection.cursor() as cursor:
        settings_before = _postgresql_settings(cursor)
        # Everything of the schema goes, also what a newer schema added that the dump does not name.
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
        cursor.execute(f"DROP SCHEMA {schema} CASCADE; CREATE SCHEMA {schema}")
        with errors.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - a fixed program and arguments, our own file
                [_program("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(payload)],
                stdout=subprocess.PIPE,
                stderr=log,
                env=environment,
            )
            assert process.stdout is not None  # noqa: S101 - stdout=PIPE
            try:
                _script_run(cursor, process.stdout)
            finally:
                process.stdout.close()
                returncode = process.wait()
        if returncode != 0:
            raise BackupRefused(f"pg_restore failed: {errors.read_text(errors='replace').strip()}")
        # The dump's SET commands hold for the session: put this connection's settings back.
        for name, value in _postgresql_settings(cursor).items():
            if settings_before.get(name, value) != value:
                cursor.execute("SELECT set_config(%s, %s, false)", [name, settings_before[name]])
        # Statements prepared against the replaced tables (psycopg forgets its own on this command).
        cursor.execute("DEALLOCATE ALL")


COPY_BLOCK = 1 << 20


def _script_run(cursor: Any, script: IO[bytes]) -> None:
    """Run pg_restore's SQL script: the SQL between data blocks as one batch each, each table's rows by COPY."""
    sql: list[bytes] = []
    data_next = False
    for line in script:
        if line.startswith(b"\\"):
            if line.startswith((b"\\restrict ", b"\\unrestrict ")):
                continue  # psql's guard against commands smuggled into the data: there is no psql here
            raise BackupRefused(f"the dump holds a psql command this restore does not run: {line[:40]!r}")
        if line.startswith(b"-- Data for Name: ") and b"; Type: TABLE DATA;" in line:
            data_next = True
        elif data_next and line.startswith(b"COPY ") and line.rstrip().endswith(b" FROM stdin;"):
            data_next = False
            if sql:
                cursor.execute(b"".join(sql).decode())
                sql = []
            _copy_in(cursor, line.rstrip()[:-1].decode(), script)
            continue
        sql.append(line)
    if sql:
        cursor.execute(b"".join(sql).decode())


def _copy_in(cursor: Any, statement: str, script: IO[bytes]) -> None:
    buffer: list[bytes] = []
    size = 0
    with cursor.cursor.copy(statement) as copy:
        for line in script:
            if line == b"\\.\n":
                break
            buffer.append(line)
            size += len(line)
            if size >= COPY_BLOCK:
                copy.write(b"".join(buffer))
                buffer, size = [], 0
        else:
            raise BackupRefused("the dump ends inside a table's rows")
        if buffer:
            copy.write(b"".join(buffer))


def database_replace(workdir: Path, payload: Path) -> None:
    """Inside the restore's transaction (after ``database_lock``, within ``replacement_prepared``): replace the whole
    database with the dump in ``payload``."""
    if vendor() == "sqlite":
        _sqlite_replace()
    else:
        _postgresql_replace(workdir, payload)


@contextmanager
def private_directory() -> Iterator[Path]:
    """An owner-only temporary directory for the plaintext dump, removed afterwards whatever happens."""
    with tempfile.TemporaryDirectory(prefix="incasso-backup-") as name:
        os.chmod(name, 0o700)
        yield Path(name)
