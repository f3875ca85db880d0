"""Set-based inserts on whichever database the suite runs on: JSON and dates as the ORM stores them, and
``ignore_conflicts`` skipping exactly the rows that meet a unique constraint."""

import datetime

import pytest

from incasso.cases.factories import CaseFactory
from incasso.cases.models import Measure
from incasso.communications.models import Letter
from incasso.core.bulk_insert import array_literal, rows_insert

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 11, 2)
COLUMNS = ("case_id", "kind", "status", "planned_for", "idempotency_key")


def test_a_null_in_an_array_literal_is_sql_null():
    assert array_literal([1, None]) == '{"1",null}'
    assert array_literal(['a"b', None]) == '{"a\\"b",NULL}'


def test_rows_that_meet_a_unique_key_are_skipped_and_left_out_of_the_keys():
    case = CaseFactory()
    [first] = rows_insert(Measure, COLUMNS, [(case.pk, "call", "planned", ON, "k1")])
    keys = rows_insert(
        Measure,
        COLUMNS,
        [(case.pk, "sms", "planned", ON, "k1"), (case.pk, "email", "planned", ON, "k2")],
        ignore_conflicts=True,
    )
    assert len(keys) == 1 and first not in keys
    assert dict(Measure.objects.values_list("idempotency_key", "kind")) == {"k1": "call", "k2": "email"}
    assert Measure.objects.get(pk=keys[0]).kind == "email"
    assert rows_insert(Measure, COLUMNS, [(case.pk, "sms", "planned", ON, "k2")], ignore_conflicts=True) == []
    rows_insert(Measure, COLUMNS, [(case.pk, "sms", "planned", ON, "k2")], returning=False, ignore_conflicts=True)
    assert Measure.objects.count() == 2
    assert Measure.objects.get(pk=first).created_at is not None


def test_json_and_text_come_back_as_the_orm_wrote_them():
    case = CaseFactory()
    details = {"instalments": [{"due": "2026-12-01", "amount_cents": 1_000}], "note": 'quote " and \\ and\nline'}
    columns = ("case_id", "kind", "language", "channel", "planned_for", "rf_reference", "details", "idempotency_key")
    for ignore_conflicts in (False, True):
        rows_insert(
            Letter,
            columns,
            [(case.pk, "reminder_letter", "nl", "post", ON, "RF18539007547034", details, f"key-{ignore_conflicts}")],
            returning=False,
            ignore_conflicts=ignore_conflicts,
        )
    for letter in Letter.objects.all():
        assert (letter.details, letter.data, letter.planned_for, letter.status) == (details, {}, ON, "queued")
