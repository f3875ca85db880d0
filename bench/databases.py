"""Where a benchmark writes its rows, so repeated runs measure the same thing and leave nothing behind.

``scratch_schema_create``/``scratch_schema_drop``: on PostgreSQL (``DATABASE_URL``) a schema of the benchmark's own,
first in the search path, dropped afterwards with the connection's configured options restored; on the embedded
default a temporary SQLite database. ``fresh_postgres_database``: a whole database beside ``DATABASE_URL``'s, for
benchmarks that run in child processes or Celery workers (a search path does not travel with them).
"""

from __future__ import annotations

import os
import tempfile
from urllib.parse import urlsplit, urlunsplit

_saved_options: list[str | None] = []


def scratch_schema_create(label: str) -> str | None:
    """Set Django up on a fresh schema (PostgreSQL) or a fresh SQLite file; return the schema to drop, if any."""
    if "DATABASE_URL" not in os.environ:
        os.environ["INCASSO_VAR_DIR"] = tempfile.mkdtemp(prefix=f"incasso-bench-{label}-")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    schema = f"bench_{label}_{os.getpid()}"
    connection.close()
    options = connection.settings_dict.setdefault("OPTIONS", {})
    _saved_options.append(options.get("options"))
    options["options"] = f"{options.get('options') or ''} -c search_path={schema}".strip()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
    return schema


def scratch_schema_drop(schema: str | None) -> None:
    """Drop what ``scratch_schema_create`` made; later benchmarks in this process get the configured database."""
    if not schema:
        return
    from django.db import connection

    connection.close()  # a fresh connection: the benchmark may have left its transaction broken
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA {schema} CASCADE")
    connection.close()
    options = connection.settings_dict["OPTIONS"]
    saved = _saved_options.pop()
    if saved is None:
        options.pop("options", None)
    else:
        options["options"] = saved


def fresh_postgres_database(url: str, suffix: str, template: str | None = None) -> str:
    """A new, empty database named after ``url``'s plus ``suffix`` (or a copy of ``template``); its URL."""
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}{suffix}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if template is None:
            connection.execute(f'CREATE DATABASE "{name}"')
        else:
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{urlsplit(template).path.lstrip("/")}"')
    return urlunsplit(parts._replace(path=f"/{name}"))
