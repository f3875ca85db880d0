"""P-3: who asked (the requester's name, e-mail and phone, a subscriber's address) is sealed under the request's own
data key, so erasing the person leaves the request readable (accountability); the migration seals existing rows
and its reverse opens them again."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from incasso.crypto import keyring, primitives

BEFORE = [("rights", "0001_rights_requests")]
AFTER = [("rights", "0002_requester_fields_sealed")]
COLUMNS = "requester_name, requester_email, requester_phone, subscriber_email"


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _raw() -> list[tuple[str, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {COLUMNS} FROM rights_rightsrequest ORDER BY id")  # noqa: S608 - constant columns
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_who_asked_and_the_reverse_opens_it_again():
    try:
        apps = _migrate(BEFORE)
        plain = apps.get_model("rights", "RightsRequest")
        due = datetime.date(2026, 12, 31)
        values = {"kind": "access", "channel": "email", "due_on": due}
        plain.objects.create(
            reference="RR-1",
            intake_key="a",
            requester_name="Anna de Vries",
            requester_email="anna@example.nl",
            requester_phone="0612345678",
            **values,
        )
        plain.objects.create(reference="RR-2", intake_key="b", subscriber_email="sub@example.nl", **values)
        plain.objects.create(reference="RR-3", intake_key="c", **values)  # nothing to seal: no key

        _migrate(AFTER)
        keyring.keys_cache_clear()
        first, second, third = _raw()
        assert all(value.startswith(primitives.PREFIX) for value in first[:3]) and first[3] == ""
        assert "Anna" not in "".join(first) and second[3].startswith(primitives.PREFIX) and third == ("",) * 4

        from incasso.rights.models import RightsRequest

        anna, sub, empty = RightsRequest.objects.order_by("pk")
        assert (anna.requester_name, anna.requester_email, anna.requester_phone) == (
            "Anna de Vries",
            "anna@example.nl",
            "0612345678",
        )
        assert sub.subscriber_email == "sub@example.nl" and anna.data_key_id != sub.data_key_id
        assert empty.data_key_id is None

        _migrate(BEFORE)
        assert _raw() == [
            ("Anna de Vries", "anna@example.nl", "0612345678", ""),
            ("", "", "", "sub@example.nl"),
            ("", "", "", ""),
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
