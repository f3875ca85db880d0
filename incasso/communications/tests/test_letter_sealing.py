"""P-3: the addressee's name and address in a letter's printed values are sealed under the debtor's data key, so
destroying the key makes them unreadable through every door that shows a letter; the rest of the record stays."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.communications.models import Letter
from incasso.communications.selectors import fourteen_day_letters_posted
from incasso.communications.services import LetterRequest, letter_render_single, letters_queue_bulk, print_batch_render
from incasso.communications.tests.conftest import POSTED, pdf_text
from incasso.core.testing import sqlite_append_only_triggers
from incasso.crypto import keyring, primitives
from incasso.crypto.fields import is_unavailable
from incasso.crypto.services import subject_key_shred
from incasso.handover.package import handover_package_build
from incasso.parties.factories import DebtorFactory
from incasso.rights.export import subject_records

pytestmark = pytest.mark.django_db


def _raw_data(letter: Letter) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM communications_letter WHERE id = %s", [letter.pk])
        (value,) = cursor.fetchone()
    return value if isinstance(value, dict) else json.loads(value)


def _printed(case, kind: str = "fourteen_day_letter") -> Letter:
    letters_queue_bulk(requests=[LetterRequest(case_id=case.pk, kind=kind)], on=POSTED)
    assert print_batch_render(on=POSTED) is not None
    return Letter.objects.get(case=case, kind=kind)


def _shred(debtor) -> None:
    subject_key_shred(subject=debtor, actor="test", reason="erasure request")
    keyring.keys_cache_clear()


def test_the_recipient_is_stored_sealed_under_the_debtors_key_and_reads_back(letter_case):
    letter = _printed(letter_case)

    stored = _raw_data(letter)
    assert stored["recipient"].startswith(primitives.PREFIX)
    assert "Vries" not in json.dumps(stored) and "Kerkstraat" not in json.dumps(stored)
    assert stored["cents"]["total"] > 0 and stored["case_number"] == "2024-000123"  # the rest stays readable
    assert letter.data_key_id == letter_case.debtor.data_key_id
    keyring.keys_cache_clear()
    read = Letter.objects.get(pk=letter.pk)
    assert read.data["recipient"] == {
        "name": "Jan de Vries",
        "lines": ["Jan de Vries", "Kerkstraat 12", "1012 AB  AMSTERDAM"],
    }
    # The 14-day term is read per case without any key.
    assert fourteen_day_letters_posted(case_ids=[letter_case.pk])[letter_case.pk][0] == POSTED


def test_a_recipient_copied_to_another_letter_of_the_same_debtor_does_not_open(letter_case):
    letter = _printed(letter_case)
    other = _printed(letter_case, kind="reminder_letter")
    Letter.objects.filter(pk=other.pk).update(data=_raw_data(letter))

    assert is_unavailable(Letter.objects.get(pk=other.pk).data["recipient"]["name"])


def test_a_recipient_that_does_not_open_is_not_sealed_over_when_the_letter_is_saved(letter_case):
    letter = _printed(letter_case)
    original = _raw_data(letter)
    other = _printed(letter_case, kind="reminder_letter")
    Letter.objects.filter(pk=other.pk).update(data=original)  # another letter's ciphertext: does not authenticate
    keyring.keys_cache_clear()

    read = Letter.objects.get(pk=other.pk)
    assert is_unavailable(read.data["recipient"]["name"])
    read.status = read.status  # any save of the whole row
    read.save()

    assert _raw_data(read)["recipient"] == original["recipient"]


def test_sealing_a_batch_costs_no_query_per_letter(db):
    def statements(count: int) -> int:
        requests = []
        for n in range(count):
            case = CaseFactory(debtor=DebtorFactory(surname=f"Jansen {n}", street="Dorpsstraat", house_number="1"))
            ClaimFactory(case=case)
            requests.append(LetterRequest(case_id=case.pk, kind="reminder_letter"))
        letters_queue_bulk(requests=requests, on=POSTED)
        keyring.keys_cache_clear()
        with CaptureQueriesContext(connection) as queries:
            print_batch_render(on=POSTED)
        Letter.objects.update(status="sent")  # out of the next batch's way
        return len(queries)

    assert statements(2) == statements(6)


def test_after_the_key_is_destroyed_every_door_shows_the_recipient_as_erased(letter_case):
    letter = _printed(letter_case)
    _shred(letter_case.debtor)
    letter = Letter.objects.select_related("template").get(pk=letter.pk)

    assert is_unavailable(letter.data["recipient"]["name"])
    assert letter.data["cents"] == _raw_data(letter)["cents"]  # amounts and dates stay
    # The back office's and the debtor portal's copy (one renderer): addressed to "[erased]", the amounts intact.
    text = pdf_text(letter_render_single(letter=letter))
    assert "Vries" not in text and "Kerkstraat" not in text
    assert "[gewist]" in text or "[erased]" in text
    # The rights export and a handover package read the same attribute.
    (record,) = [
        r
        for r in subject_records(target="parties.Debtor", ids=[letter_case.debtor_id])
        if r["model"] == "communications.Letter"
    ]
    assert "Vries" not in json.dumps(record, default=str)
    assert "Vries" not in json.dumps(
        handover_package_build(case=letter_case, role="bailiff", as_of=POSTED), default=str
    )


def test_a_letter_printed_for_an_erased_debtor_keeps_no_name(letter_case):
    other = CaseFactory(debtor=DebtorFactory(client=letter_case.client, surname="Bakker"))
    ClaimFactory(case=other)
    _shred(other.debtor)

    letter = _printed(other, kind="reminder_letter")
    assert _raw_data(letter)["recipient"] == "[erased]"
    assert is_unavailable(Letter.objects.get(pk=letter.pk).data["recipient"]["name"])


def test_a_plain_recipient_given_to_update_is_refused(letter_case):
    letter = _printed(letter_case)
    with pytest.raises(ValueError, match="seal"), transaction.atomic():
        Letter.objects.filter(pk=letter.pk).update(data={"recipient": {"name": "Jan"}})
    Letter.objects.filter(pk=letter.pk).update(data={"anonymised": True})  # the retention sweep's blanking
    assert Letter.objects.get(pk=letter.pk).data == {"anonymised": True}


def test_a_letter_saved_on_its_own_is_sealed_under_its_debtors_key(letter_case):
    letter = Letter.objects.create(
        case=letter_case,
        kind="reminder_letter",
        language="nl",
        planned_for=POSTED,
        rf_reference="RF18539007547034",
        idempotency_key="own",
        data={"recipient": {"name": "Jan de Vries", "lines": ["Jan de Vries"]}, "cents": {"total": 1}},
    )
    assert letter.data_key_id == letter_case.debtor.data_key_id
    assert _raw_data(letter)["recipient"].startswith(primitives.PREFIX)
    keyring.keys_cache_clear()
    assert Letter.objects.get(pk=letter.pk).data["recipient"]["name"] == "Jan de Vries"


BEFORE = [("communications", "0004_idempotency_keys_without_pattern_index")]
AFTER = [("communications", "0005_letter_recipient_sealed")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_existing_letters_and_the_reverse_opens_them_again():
    live = CaseFactory(debtor=DebtorFactory(surname="de Vries"))
    erased = CaseFactory(debtor=DebtorFactory(client=live.client, surname="Bakker"))
    recipient = {"name": "Jan de Vries", "lines": ["Jan de Vries", "Kerkstraat 12"]}
    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            for n, (case, name) in enumerate(((live, "Jan de Vries"), (erased, "Piet Bakker"), (live, None))):
                data = {"recipient": {**recipient, "name": name}, "cents": {"total": 100}} if name else {}
                cursor.execute(
                    "INSERT INTO communications_letter (case_id, kind, language, channel, status, planned_for, "
                    "rf_reference, data, details, idempotency_key, error, created_at) VALUES "
                    "(%s, 'reminder_letter', 'nl', 'post', 'rendered', %s, 'RF00', %s, '{}', %s, '', %s)",
                    [case.pk, POSTED, json.dumps(data), f"m{n}", "2024-08-29 10:00:00+00:00"],
                )
        with transaction.atomic():
            _shred(erased.debtor)

        _migrate(AFTER)
        keyring.keys_cache_clear()
        first, second, queued = Letter.objects.order_by("pk")
        assert _raw_data(first)["recipient"].startswith(primitives.PREFIX) and "Vries" not in json.dumps(
            _raw_data(first)
        )
        assert first.data["recipient"] == recipient and first.data["cents"] == {"total": 100}
        assert _raw_data(second)["recipient"] == "[erased]" and is_unavailable(second.data["recipient"]["name"])
        assert queued.data == {} and queued.data_key_id is None

        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT data FROM communications_letter ORDER BY id")
            rows = [value if isinstance(value, dict) else json.loads(value) for (value,) in cursor.fetchall()]
        assert rows == [
            {"recipient": recipient, "cents": {"total": 100}},
            {"recipient": {"name": "[erased]", "lines": ["[erased]"]}, "cents": {"total": 100}},
            {},
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        sqlite_append_only_triggers(enabled=False)  # the shred was audited: the flush after the test must empty it


def test_printed_values_changed_in_place_are_saved_sealed(letter_case):
    letter = Letter.objects.get(pk=_printed(letter_case).pk)
    letter.data["warnings"] = ["checked"]
    letter.save(update_fields=["data"])

    assert _raw_data(letter)["recipient"].startswith(primitives.PREFIX)
    keyring.keys_cache_clear()
    read = Letter.objects.get(pk=letter.pk).data
    assert read["warnings"] == ["checked"] and read["recipient"]["name"] == "Jan de Vries"
