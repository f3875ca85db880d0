"""Set-based inserts on whichever database the suite runs on: JSON and dates as the ORM stores them, and
``ignore_conflicts`` skipping exactly the rows that meet a unique constraint."""

import datetime

import pytest
from django.db import connection
from django.db.models import F

from incasso.cases.factories import CaseFactory
from incasso.cases.models import Case, Measure
from incasso.communications.models import Letter
from incasso.core.bulk_insert import AnyKey, AnyOf, array_literal, rows_insert
from incasso.parties.models import Debtor

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


def test_any_key_finds_rows_by_values_or_by_a_subquery_and_uuid_keys_too():
    cases = [CaseFactory() for _ in range(3)]
    wanted = [cases[0].debtor_id, cases[2].debtor_id]
    by_values = Case.objects.filter(AnyKey(F("debtor_id"), wanted))
    assert sorted(by_values.values_list("pk", flat=True)) == [cases[0].pk, cases[2].pk]
    debtors = Debtor.objects.filter(AnyKey(F("pk"), by_values.values("debtor_id")))
    assert sorted(debtors.values_list("pk", flat=True)) == sorted(wanted)
    assert not Case.objects.filter(AnyKey(F("debtor_id"), [])).exists()
    keys = [cases[1].debtor.data_key_id]
    for lookup in (AnyOf, AnyKey):
        assert list(Debtor.objects.filter(lookup(F("data_key_id"), keys)).values_list("pk", flat=True)) == [
            cases[1].debtor_id
        ]
    if connection.vendor == "postgresql":  # key lookups whose number the planner cannot see
        assert "= ANY(ARRAY(SELECT unnest(" in str(by_values.query)
        assert "= ANY(ARRAY(SELECT" in str(debtors.query)
