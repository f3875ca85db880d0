"""The migration that seals the debtors' existing plain rows, forward and back (parties 0003)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from incasso.crypto import keyring

BEFORE = [("parties", "0002_client_agreements_commission_contacts")]
AFTER = [("parties", "0003_debtor_fields_encrypted_with_blind_indexes")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def raw_row(reference):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT surname, iban, date_of_birth, iban_index, data_key_id FROM parties_debtor WHERE reference = %s",
            [reference],
        )
        return cursor.fetchone()


@pytest.mark.slow  # unapplies and re-applies every migration that depends on parties 0002: minutes, not seconds
@pytest.mark.django_db(transaction=True)
def test_plain_rows_are_sealed_and_the_reverse_opens_them_again():
    try:
        apps = migrate(BEFORE)
        client = apps.get_model("parties", "Client").objects.create(code="m", name="M")
        plain = apps.get_model("parties", "Debtor")
        plain.objects.create(
            client=client,
            reference="R1",
            kind="consumer",
            surname="Jansen",
            given_names="Jan",
            iban="NL02ABNA0123456789",
            postcode="1012 AB",
            date_of_birth=datetime.date(1980, 5, 17),
        )
        plain.objects.create(client=client, reference="R2", kind="company", organisation_name="Bedrijf B.V.")

        migrate(AFTER)
        surname, iban, born, iban_index, key = raw_row("R1")
        assert surname.startswith("e1.") and iban.startswith("e1.") and born.startswith("e1.")
        assert "Jansen" not in surname and len(iban_index) == 32 and key
        assert raw_row("R2")[0] == ""  # no surname stays empty

        from incasso.parties.models import Debtor
        from incasso.parties.selectors import debtors_matching

        # Read through today's model: with the parties migrations after 0003 applied too (its columns).
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        migrate([node for node in executor.loader.graph.leaf_nodes() if node[0] == "parties"])

        keyring.keys_cache_clear()
        debtor = Debtor.objects.get(reference="R1")
        assert (debtor.surname, debtor.given_names, debtor.date_of_birth) == (
            "Jansen",
            "Jan",
            datetime.date(1980, 5, 17),
        )
        assert list(debtors_matching(client=debtor.client_id, iban="NL02 ABNA 0123 4567 89")) == [debtor]

        migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT surname, iban, date_of_birth FROM parties_debtor WHERE reference = 'R1'")
            surname, iban, born = cursor.fetchone()
        assert (surname, iban, str(born)) == ("Jansen", "NL02ABNA0123456789", "1980-05-17")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
