"""The set-based helpers: the ``AnyOf`` lookup and inserts, on whichever database the suite runs on."""

import pytest
from django.db.models import F

from incasso.cases.models import Case, Claim
from incasso.core.bulk_insert import AnyOf, array_literal, rows_insert
from incasso.intake.rows import DebtorRecord
from incasso.intake.writer import CASE_COLUMNS, CLAIM_COLUMNS, DEBTOR_COLUMNS, _debtor_rows
from incasso.parties.factories import DebtorFactory
from incasso.parties.models import Debtor
from incasso.parties.sealing import INDEX_COLUMNS
from incasso.parties.selectors import debtors_matching

TRICKY = ["plain", "with space", 'quote"d', "back\\slash", "new\nline", "comma,semi;", "{braces}", "é€", "NULL", ""]


def test_array_literals_quote_every_element():
    assert array_literal(["a", "b"]) == '{"a","b"}'
    assert array_literal([1, 22]) == '{"1","22"}'
    assert array_literal(['x"y', "a\\b"]) == '{"x\\"y","a\\\\b"}'


@pytest.mark.django_db
def test_any_of_matches_exactly_the_given_values(creditor):
    for reference in TRICKY:
        DebtorFactory(client=creditor, reference=reference)
    DebtorFactory(client=creditor, reference="not asked")
    found = Debtor.objects.filter(AnyOf(F("reference"), TRICKY)).values_list("reference", flat=True)
    assert sorted(found) == sorted(TRICKY)
    assert not Debtor.objects.filter(AnyOf(F("reference"), [])).exists()
    ids = list(Debtor.objects.values_list("pk", flat=True)[:3])
    assert sorted(Debtor.objects.filter(AnyOf(F("pk"), ids)).values_list("pk", flat=True)) == sorted(ids)


@pytest.mark.django_db
def test_inserted_rows_get_their_keys_and_the_defaults_of_fields_not_given(creditor):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    debtor = DebtorRecord(
        "R1", "consumer", "Jan", "Jansen", "", None, "Straat", "1", "1012 AB", "Stad", "NL", "", "", "", ""
    )
    [debtor_id] = rows_insert(Debtor, DEBTOR_COLUMNS, _debtor_rows(creditor.pk, [debtor], now))
    [case_id] = rows_insert(
        Case,
        CASE_COLUMNS,
        [(creditor.pk, debtor_id, "2026-900001", "reminder", datetime.date(2026, 1, 1), "none", now)],
    )
    rows_insert(
        Claim,
        tuple(column for column in CLAIM_COLUMNS if column not in ("limitation_kind", "limitation_date")),
        [(case_id, creditor.pk, "F1", datetime.date(2026, 1, 1), datetime.date(2026, 1, 2), 100, "EUR", "", now)],
        returning=False,
    )
    claim = Claim.objects.get()
    assert (claim.case_id, claim.case.debtor_id, claim.case.debtor.surname) == (case_id, debtor_id, "Jansen")
    assert claim.case.closed_reason is None
    assert claim.limitation_kind == Claim._meta.get_field("limitation_kind").get_default()


def test_a_debtor_record_is_in_the_column_order_the_writer_copies():
    assert ("client_id", *DebtorRecord._fields, "created_at", "postcode_region", *INDEX_COLUMNS, "data_key_id") == (
        DEBTOR_COLUMNS
    )


@pytest.mark.django_db
def test_the_writer_seals_a_new_debtor_and_indexes_it(creditor):
    from django.utils import timezone

    debtor = DebtorRecord(
        "R1",
        "consumer",
        "Jan",
        "Jansen",
        "",
        None,
        "Straat",
        "1",
        "1012 AB",
        "Stad",
        "NL",
        "j@x.nl",
        "",
        "NL02ABNA0123456789",
        "",
    )
    [row] = _debtor_rows(creditor.pk, [debtor], timezone.now())
    stored = dict(zip(DEBTOR_COLUMNS, row, strict=True))
    assert stored["surname"].startswith("e1.") and "Jansen" not in stored["surname"]
    assert stored["given_names"] != "Jan" and stored["organisation_name"] == ""
    rows_insert(Debtor, DEBTOR_COLUMNS, [row])
    [found] = debtors_matching(client=creditor, iban="nl02 abna 0123 4567 89")
    assert (found.surname, found.email, found.postcode) == ("Jansen", "j@x.nl", "1012 AB")
    assert found.postcode_region == "10"  # derived here, so the retention sweep need not open the postcode
