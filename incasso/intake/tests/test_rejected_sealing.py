"""P-3: an import's rejected rows (what the client sent about people who never became debtors) are sealed under a
data key of the import's own, read back where they are shown, and erased by destroying that key; the migration seals
the rows stored before and its reverse opens them again."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from incasso.audit.models import AuditEvent
from incasso.crypto import keyring, primitives
from incasso.crypto.models import DataKey
from incasso.intake.models import ImportBatch, ImportSource
from incasso.intake.rows import ClaimRow, stored_error_text
from incasso.intake.services import claims_import, import_batches_rejected_erase
from incasso.parties.factories import ClientFactory

BAD_EMAIL = "anna.de.vries(at)example.nl"


def _row(number: int, **values: str) -> ClaimRow:
    fields = {
        "invoice_number": f"F-{number}",
        "invoice_date": "2026-01-10",
        "due_date": "2026-02-09",
        "amount": "125.50",
        "debtor_reference": f"K-{number}",
        "debtor_kind": "consumer",
        "surname": "de Vries",
        "given_names": "Anna",
        **values,
    }
    return ClaimRow(row=number, **fields)


def _raw(batch_id: int) -> tuple[str, object]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rejected, data_key_id FROM intake_importbatch WHERE id = %s", [batch_id])
        return cursor.fetchone()


@pytest.mark.django_db
def test_rejected_rows_are_sealed_under_the_imports_own_key_and_read_back_as_they_were():
    client = ClientFactory()
    summary = claims_import(
        client=client, rows=[_row(1), _row(2, email=BAD_EMAIL), _row(3, amount="1,2,3")], source=ImportSource.REST
    )
    assert (summary.created, summary.rejected_count) == (1, 2)
    stored, key_id = _raw(summary.batch_id)
    assert stored.startswith(primitives.PREFIX) and key_id is not None
    assert BAD_EMAIL not in stored and "1,2,3" not in stored
    assert DataKey.objects.get(pk=key_id).subject_type == "intake.importbatch"

    keyring.keys_cache_clear()
    batch = ImportBatch.objects.get(pk=summary.batch_id)
    assert [(entry["row"], entry["field"]) for entry in batch.rejected] == [(2, "email"), (3, "amount")]
    assert batch.rejected == [error.as_stored() for error in summary.rejected]
    assert BAD_EMAIL in stored_error_text(batch.rejected[0])

    clean = claims_import(client=client, rows=[_row(4)], source=ImportSource.REST)
    assert _raw(clean.batch_id) == ("", None)  # nothing rejected: nothing sealed, no key
    assert ImportBatch.objects.get(pk=clean.batch_id).rejected == []


@pytest.mark.django_db
def test_erasing_rejected_rows_destroys_the_key_keeps_the_counts_and_is_audited():
    client = ClientFactory()
    first = claims_import(client=client, rows=[_row(1, email=BAD_EMAIL)], source=ImportSource.REST)
    other = claims_import(client=client, rows=[_row(2, amount="x")], source=ImportSource.REST)
    clean = claims_import(client=client, rows=[_row(3)], source=ImportSource.REST)
    key_id = _raw(first.batch_id)[1]

    erased = import_batches_rejected_erase(
        batch_ids=[first.batch_id, clean.batch_id],
        actor="retention sweep",
        purpose="debt_collection",
        source="test",
        details={"why": "corrected"},
    )
    assert erased == 1
    assert _raw(first.batch_id) == ("", key_id)
    assert DataKey.objects.get(pk=key_id).destroyed_at is not None
    batch = ImportBatch.objects.get(pk=first.batch_id)
    assert (batch.rejected, batch.rejected_count) == ([], 1)
    [entry] = AuditEvent.objects.filter(subject_type="intake.ImportBatch")
    assert (entry.subject_id, entry.fields, entry.details["client"]) == (
        str(first.batch_id),
        ["intake.ImportBatch.rejected"],
        client.pk,
    )
    assert entry.details["crypto_shredded"] is True
    # The other import is untouched; erasing again finds nothing live.
    assert ImportBatch.objects.get(pk=other.batch_id).rejected[0]["field"] == "amount"
    again = import_batches_rejected_erase(batch_ids=[first.batch_id], actor="x", purpose="debt_collection", source="t")
    assert again == 0
    assert AuditEvent.objects.filter(subject_type="intake.ImportBatch").count() == 1


BEFORE = [("intake", "0001_api_keys_import_batches_claim_credits")]
AFTER = [("intake", "0002_import_batch_rejected_rows_sealed")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_stored_rejected_rows_and_the_reverse_opens_them_again():
    entries = [
        {"row": 2, "field": "email", "error": f"'{BAD_EMAIL}' ...", "message": "m", "params": {"value": BAD_EMAIL}}
    ]
    try:
        client_id = ClientFactory().pk
        apps = _migrate(BEFORE)
        plain = apps.get_model("intake", "ImportBatch")
        common = {"client_id": client_id, "source": "csv", "file_format": "csv"}
        with_rows = plain.objects.create(rejected=entries, **common).pk
        without = plain.objects.create(**common).pk

        _migrate(AFTER)
        keyring.keys_cache_clear()
        stored, key_id = _raw(with_rows)
        assert stored.startswith(primitives.PREFIX) and BAD_EMAIL not in stored and key_id is not None
        assert _raw(without) == ("", None)
        assert ImportBatch.objects.get(pk=with_rows).rejected == entries
        assert ImportBatch.objects.get(pk=without).rejected == []
        _migrate(AFTER)  # a re-run changes nothing
        assert _raw(with_rows) == (stored, key_id)

        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, rejected FROM intake_importbatch ORDER BY id")
            rows = {pk: value if isinstance(value, list) else json.loads(value) for pk, value in cursor.fetchall()}
        assert rows == {with_rows: entries, without: []}
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
