"""The debtors' blind indexes leave empty entries out (partial indexes); every lookup can still use them."""

import pytest
from django.db import connection
from django.db.models import F

from incasso.core.bulk_insert import AnyOf
from incasso.parties.factories import DebtorFactory
from incasso.parties.models import Debtor
from incasso.parties.selectors import blind_index_filled, debtor_index_values, debtors_matching

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans of PostgreSQL")


def _plan(queryset):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgresql_only
@pytest.mark.parametrize("column", ["iban_index", "email_index", "name_index", "postcode_index"])
def test_a_lookup_of_one_entry_uses_the_partial_index(column):
    debtor = DebtorFactory(iban="NL91ABNA0417164300", email="a@example.nl", postcode="1234AB")
    entry = getattr(debtor, column)
    assert f"debtor_{column}" in _plan(Debtor.objects.filter(**{column: entry}))


@postgresql_only
def test_a_lookup_of_many_entries_uses_the_partial_index_when_it_states_the_predicate():
    entries = [f"{n:032x}" for n in range(150)]  # past the 100 entries the planner expands to prove a predicate
    without = Debtor.objects.filter(AnyOf(F("iban_index"), entries))
    stated = Debtor.objects.filter(blind_index_filled("iban_index"), AnyOf(F("iban_index"), entries))
    assert "debtor_iban_index" not in _plan(without)
    assert "debtor_iban_index" in _plan(stated)


def test_matching_finds_by_entry_and_never_by_an_empty_one():
    debtor = DebtorFactory(iban="NL91ABNA0417164300", email="")
    DebtorFactory(client=debtor.client, iban="", email="")
    assert list(debtors_matching(client=debtor.client, iban="nl91 abna 0417 1643 00")) == [debtor]
    assert not debtors_matching(client=debtor.client, email="").exists()
    wanted = debtor_index_values(iban="NL91ABNA0417164300")
    assert list(Debtor.objects.filter(blind_index_filled(*wanted), **wanted)) == [debtor]
