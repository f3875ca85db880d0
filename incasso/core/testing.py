"""Helpers the tests of several apps share."""

from __future__ import annotations

import importlib
import shutil
import subprocess


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with whitespace collapsed, as pdftotext (poppler-utils, in debian-packages.txt) reads it."""
    pdftotext = shutil.which("pdftotext") or "/usr/bin/pdftotext"
    out = subprocess.run([pdftotext, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)  # noqa: S603
    return " ".join(out.stdout.decode("utf-8").split())


# The migrations that make tables append-only with triggers. On SQLite, Django's test flush empties tables with
# DELETE, which those triggers refuse; tests that commit (the browser tests' live server) lift them just before the
# flush and the next database test puts them back. PostgreSQL's flush uses TRUNCATE, which the triggers allow.
APPEND_ONLY_MIGRATIONS = (
    "incasso.audit.migrations.0002_append_only_triggers",
    "incasso.ledger.migrations.0002_append_only_and_balanced_triggers",
)


def sqlite_append_only_triggers(*, enabled: bool) -> None:
    """Put back (``enabled``) or lift the SQLite append-only triggers, with the migrations' own SQL."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in APPEND_ONLY_MIGRATIONS:
            module = importlib.import_module(name)
            for sql in module.SQLITE_FORWARD if enabled else module.SQLITE_BACKWARD:
                cursor.execute(
                    sql.replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ").replace(
                        "DROP TRIGGER ", "DROP TRIGGER IF EXISTS "
                    )
                )
