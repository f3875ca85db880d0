"""Field encryption of debtors: sealing, tamper and swap detection, blind indexes, key loading (P-3)."""

from __future__ import annotations

import base64
import datetime

import pytest
from django.db import connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from config.env import EnvError, env_keyring
from incasso.crypto import keyring, primitives
from incasso.crypto.fields import Unavailable, is_unavailable
from incasso.crypto.models import DataKey
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.parties.models import Debtor
from incasso.parties.selectors import debtors_matching

pytestmark = pytest.mark.django_db

PERSONAL = ("given_names", "surname", "street", "house_number", "postcode", "city", "email", "iban")


def raw(debtor: Debtor, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM parties_debtor WHERE id = %s", [debtor.pk])  # noqa: S608 - test names
        return str(cursor.fetchone()[0])


def raw_set(debtor: Debtor, column: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE parties_debtor SET {column} = %s WHERE id = %s", [value, debtor.pk])  # noqa: S608


def fresh(debtor: Debtor) -> Debtor:
    keyring.keys_cache_clear()
    return Debtor.objects.get(pk=debtor.pk)


def test_values_are_stored_sealed_and_read_back_as_given():
    debtor = DebtorFactory(surname="Jansen", iban="NL02ABNA0123456789", date_of_birth=datetime.date(1980, 5, 17))
    for column in PERSONAL:
        stored = raw(debtor, column)
        assert stored.startswith(primitives.PREFIX)
        assert stored != getattr(debtor, column)
    assert "Jansen" not in raw(debtor, "surname")
    loaded = fresh(debtor)
    assert [getattr(loaded, name) for name in PERSONAL] == [getattr(debtor, name) for name in PERSONAL]
    assert loaded.date_of_birth == datetime.date(1980, 5, 17)
    assert DataKey.objects.get(pk=loaded.data_key_id).subject_type == "parties.debtor"


def test_an_empty_value_stays_empty_so_the_database_still_checks_the_name():
    company = DebtorFactory(company=True)
    assert raw(company, "surname") == ""
    assert fresh(company).organisation_name == company.organisation_name


def test_a_changed_value_is_sealed_again_on_save():
    debtor = DebtorFactory(city="Utrecht")
    loaded = fresh(debtor)
    loaded.city = "Zwolle"
    loaded.save()
    assert fresh(debtor).city == "Zwolle"
    assert fresh(debtor).surname == debtor.surname


def test_a_tampered_ciphertext_reads_as_unavailable():
    debtor = DebtorFactory(surname="Jansen")
    stored = raw(debtor, "surname")
    body = bytearray(base64.urlsafe_b64decode(stored[len(primitives.PREFIX) :]))
    body[-1] ^= 1
    raw_set(debtor, "surname", primitives.PREFIX + base64.urlsafe_b64encode(bytes(body)).decode())
    loaded = fresh(debtor)
    assert is_unavailable(loaded.surname)
    assert str(loaded.surname) == "[erased]"
    assert loaded.city == debtor.city  # the other fields still read


def test_a_ciphertext_moved_to_another_row_or_field_does_not_decrypt():
    one, other = DebtorFactory(surname="Jansen"), DebtorFactory(surname="Pietersen")
    raw_set(other, "surname", raw(one, "surname"))
    raw_set(one, "city", raw(one, "surname"))
    assert is_unavailable(fresh(other).surname)
    assert is_unavailable(fresh(one).city)
    assert fresh(one).surname == "Jansen"


def test_the_low_level_open_raises_on_a_wrong_binding():
    cipher = primitives.AESGCM(primitives.data_key_generate())
    sealed = primitives.seal(cipher, "Jansen", primitives.associated_data("parties.debtor", "surname", "k1"))
    with pytest.raises(primitives.DecryptionFailed):
        primitives.unseal(cipher, sealed, primitives.associated_data("parties.debtor", "city", "k1"))


def test_plaintext_through_a_queryset_update_is_refused():
    debtor = DebtorFactory()
    with pytest.raises(ValueError, match="encrypted"), transaction.atomic():
        Debtor.objects.filter(pk=debtor.pk).update(surname="Jansen")
    assert fresh(debtor).surname == debtor.surname


def test_blind_indexes_find_exact_matches_within_the_client_only():
    creditor, other_client = ClientFactory(), ClientFactory()
    debtor = DebtorFactory(
        client=creditor,
        surname="Jánsen",
        given_names="Jan",
        email="Jan@Example.com",
        iban="NL02ABNA0123456789",
        postcode="1012 AB",
    )
    DebtorFactory(client=other_client, iban="NL02ABNA0123456789")
    DebtorFactory(client=creditor, iban="NL91ABNA0417164300", surname="Jansen", given_names="Piet")
    assert list(debtors_matching(client=creditor, iban="nl02 abna 0123 4567 89")) == [debtor]
    assert list(debtors_matching(client=creditor, email=" jan@example.COM")) == [debtor]
    assert list(debtors_matching(client=creditor, surname="JANSEN", given_names="jan")) == [debtor]
    assert list(debtors_matching(client=creditor.pk, postcode="1012ab", iban="NL02ABNA0123456789")) == [debtor]
    assert not debtors_matching(client=creditor, iban="NL18RABO0123459876").exists()
    assert not debtors_matching(client=creditor, iban="").exists()
    assert raw(debtor, "iban_index") != raw(debtor, "email_index")
    assert len(raw(debtor, "iban_index")) == primitives.INDEX_BYTES * 2


def test_reading_many_debtors_loads_their_keys_in_one_query(django_assert_num_queries, case):
    creditor = case.client
    for _ in range(7):
        DebtorFactory(client=creditor)
    keyring.keys_cache_clear()
    with django_assert_num_queries(2):  # the debtors, then all their keys
        names = [(d.surname, d.iban, d.city) for d in Debtor.objects.filter(client=creditor)]
    assert len(names) == 8 and all(not is_unavailable(surname) for surname, _, _ in names)
    keyring.keys_cache_clear()
    from incasso.cases.models import Case

    with django_assert_num_queries(2):  # through select_related too
        assert [c.debtor.surname for c in Case.objects.select_related("debtor")] == [case.debtor.surname]


def test_a_key_under_a_master_version_no_longer_configured_reads_as_unavailable(settings):
    debtor = DebtorFactory()
    settings.INCASSO_MASTER_KEYS = [("other", b"\x01" * 32)]
    assert is_unavailable(fresh(debtor).surname)


@given(st.text(max_size=300), st.text(min_size=1, max_size=40))
def test_seal_and_unseal_round_trip(text, field_name):
    cipher = primitives.AESGCM(primitives.data_key_generate())
    ad = primitives.associated_data("parties.debtor", field_name, "row")
    sealed = primitives.seal(cipher, text, ad)
    assert primitives.unseal(cipher, sealed, ad) == text
    assert text == "" or text not in sealed[len(primitives.PREFIX) :] or len(text) < 4


@given(st.binary(min_size=32, max_size=32))
def test_key_wrap_round_trip(data_key):
    import uuid

    master, key_id = primitives.data_key_generate(), uuid.uuid4()
    wrapped = primitives.key_wrap(master, key_id, data_key)
    assert primitives.key_unwrap(master, key_id, wrapped) == data_key
    with pytest.raises(primitives.DecryptionFailed):
        primitives.key_unwrap(master, uuid.uuid4(), wrapped)


def test_the_master_keys_reader_fails_loudly_on_bad_values(tmp_path):
    good = base64.b64encode(b"k" * 32).decode()
    assert env_keyring("K", environ={"K": f"v2:{good}, v1:{good}"}) == [("v2", b"k" * 32), ("v1", b"k" * 32)]
    assert env_keyring("K", environ={}) == []
    (tmp_path / "keys").write_text(f"v1:{good}\n")
    assert env_keyring("K", environ={"K_FILE": str(tmp_path / "keys")}) == [("v1", b"k" * 32)]
    for bad, message in (
        (f"v1:{good},v1:{good}", "twice"),
        ("v1:" + base64.b64encode(b"short").decode(), "32 bytes"),
        ("v1:not base64!", "base64"),
        (good, "version:base64key"),
    ):
        with pytest.raises(EnvError, match=message):
            env_keyring("K", environ={"K": bad})


def test_unavailable_renders_in_the_active_language():
    from django.utils import translation

    from incasso.crypto.fields import unavailable

    with translation.override("nl"):
        assert isinstance(unavailable(), Unavailable)
        assert str(unavailable()) in {"[gewist]", "[erased]"}


def test_serialised_rows_hold_ciphertext_and_load_back():
    """Text fields only: a date serialises as a date (Django hands dates to the serialiser as they are)."""
    from django.core import serializers

    debtor = DebtorFactory(surname="Jansen", date_of_birth=None)
    key = DataKey.objects.get(pk=debtor.data_key_id)
    dumped = serializers.serialize("json", [key, Debtor.objects.get(pk=debtor.pk)])
    assert "Jansen" not in dumped
    Debtor.objects.filter(pk=debtor.pk).delete()
    for item in serializers.deserialize("json", dumped):
        item.save()
    loaded = fresh(debtor)
    assert (loaded.surname, loaded.iban) == ("Jansen", debtor.iban)
