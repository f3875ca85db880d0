"""Sealing many new subjects at once (``crypto.bulk``): the same stored form as ``save()``, so the rows read back,
search and shred through the model's fields like any other."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import os
import random
import unicodedata
import uuid

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from incasso.core.bulk_insert import rows_insert
from incasso.crypto import keyring, primitives
from incasso.crypto.bulk import SubjectSealer, key_ids_stored
from incasso.crypto.fields import BlindIndexField, is_unavailable, seal_with
from incasso.crypto.models import DataKey
from incasso.crypto.services import data_keys_store, subject_key_shred
from incasso.parties.models import DEBTOR_DETAILS, Debtor
from incasso.parties.sealing import INDEX_COLUMNS, INDEX_FIELDS, SEALED_FIELDS, debtors_sealer
from incasso.parties.selectors import debtors_matching

FIELDS = ("reference", "kind", *DEBTOR_DETAILS)
COLUMNS = ("client_id", *FIELDS, "created_at", *INDEX_COLUMNS, "data_key_id")
ALPHABET = "abcXYZ éÁñ-'.0123456789@"


def _text(rng: random.Random, empty_often: bool = True) -> str:
    if empty_often and rng.random() < 0.25:
        return ""
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(1, 30)))


def _debtor_values(rng: random.Random, number: int) -> tuple[object, ...]:
    values: dict[str, object] = {name: _text(rng) for name in DEBTOR_DETAILS}
    values["date_of_birth"] = (
        datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(20_000)) if rng.random() < 0.5 else None
    )
    values["country"], values["kvk_number"] = "NL", ""
    values["surname"] = _text(rng, empty_often=False)  # a consumer has one
    return (f"R{number}", "consumer", *(values[name] for name in DEBTOR_DETAILS))


def test_the_fast_blind_index_is_hmac_sha256_truncated():
    rng = random.Random(3)  # noqa: S311 - reproducible test values
    for length in (1, 16, 32, 63, 64, 65, 200):
        key = rng.randbytes(length)
        indexer = primitives.BlindIndexer(key)
        for _ in range(200):
            value = _text(rng, empty_often=False)
            assert indexer(value) == primitives.blind_index(key, value)
            assert indexer(value) == hmac.new(key, value.encode(), hashlib.sha256).digest()[:16].hex()
    assert primitives.BlindIndexer(b"k" * 32)("") == ""


def test_names_fold_the_same_on_the_ascii_fast_path():
    def folded_in_full(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())

    rng = random.Random(5)  # noqa: S311 - reproducible test values
    samples = [chr(code) for code in range(128)] + ["  Jan  de VRIES\t", "Jánsen", "STRASSE", "Straße", "ﬁne"]
    samples += ["".join(rng.choice(ALPHABET + "\t\x1f ") for _ in range(20)) for _ in range(500)]
    for text in samples:
        assert primitives.normalise_name(text, text) == (
            f"{folded_in_full(text)}|{folded_in_full(text)}" if folded_in_full(text) else ""
        )


def test_a_key_id_is_the_version_4_uuid_of_its_random_bytes():
    for _ in range(2_000):
        random_bytes = os.urandom(16)
        assert primitives.uuid4_text(random_bytes) == str(uuid.UUID(bytes=random_bytes, version=4))


def test_a_value_sealed_with_a_given_nonce_opens_and_carries_that_nonce():
    cipher, nonce, ad = AESGCM(os.urandom(32)), os.urandom(12), b"parties.debtor|surname|k"
    sealed = primitives.seal(cipher, "Jánsen", ad, nonce)
    assert sealed.startswith(primitives.PREFIX)
    assert primitives.unseal(cipher, sealed, ad) == "Jánsen"
    import base64

    assert base64.urlsafe_b64decode(sealed[3:])[:12] == nonce


def test_a_key_wrapped_in_bulk_unwraps_as_any_other():
    master, key_id, data_key = os.urandom(32), uuid.uuid4(), os.urandom(32)
    wrapped = primitives.key_wrap_with(AESGCM(master), str(key_id), data_key)
    assert primitives.key_unwrap(master, key_id, wrapped) == data_key
    assert primitives.key_unwrap(master, key_id, primitives.key_wrap(master, key_id, data_key)) == data_key


def test_a_sealer_needs_every_encrypted_field():
    with pytest.raises(ValueError, match="encrypted fields"):
        SubjectSealer(Debtor, ("reference", "surname"))


@pytest.mark.django_db
def test_rows_sealed_in_bulk_read_search_and_shred_like_saved_ones(creditor):
    """Many random debtors sealed by the sealer and inserted as rows: every field reads back through the model, the
    blind indexes are those ``save()`` computes, the keys are stored and unwrap, and shredding erases them."""
    rng = random.Random(7)  # noqa: S311 - reproducible test values
    sealer = debtors_sealer(FIELDS)
    assert sealer.index_columns == INDEX_COLUMNS
    rows = [_debtor_values(rng, number) for number in range(300)]
    subjects = sealer.seal(rows)
    assert len({subject.key_id for subject in subjects}) == len(rows)
    data_keys_store(
        subject_type=sealer.subject_type,
        master_version=sealer.master_version,
        keys=[(subject.key_id, subject.wrapped_key) for subject in subjects],
    )
    now = datetime.datetime.now(tz=datetime.UTC)
    positions = [FIELDS.index(name) for name in sealer.sealed_fields]
    stored_rows = []
    for values, subject, key_id in zip(rows, subjects, key_ids_stored(s.key_id for s in subjects), strict=True):
        stored = list(values)
        for position, sealed in zip(positions, subject.sealed, strict=True):
            stored[position] = sealed
            assert sealed == values[position] or str(sealed).startswith(primitives.PREFIX)
        stored_rows.append((creditor.pk, *stored, now, *subject.indexes, key_id))
    rows_insert(Debtor, COLUMNS, stored_rows, returning=False)

    keyring.keys_cache_clear()
    indexes = [field for field in Debtor._meta.concrete_fields if isinstance(field, BlindIndexField)]
    by_reference = {debtor.reference: debtor for debtor in Debtor.objects.filter(client=creditor)}
    for values, subject in zip(rows, subjects, strict=True):
        debtor = by_reference[str(values[0])]
        assert str(debtor.data_key_id) == subject.key_id
        assert tuple(getattr(debtor, name) for name in FIELDS) == values
        for index in indexes:
            expected = index.compute(*(getattr(debtor, source) for source in index.sources))
            assert getattr(debtor, index.attname) == expected
    assert (
        DataKey.objects.filter(pk__in=[s.key_id for s in subjects], master_version=sealer.master_version).count() == 300
    )

    some = next(values for values in rows if values[FIELDS.index("surname")])
    found = debtors_matching(
        client=creditor, surname=str(some[FIELDS.index("surname")]).upper(), given_names=str(some[2])
    )
    assert str(some[0]) in {debtor.reference for debtor in found}

    shredded = by_reference[str(some[0])]
    subject_key_shred(subject=shredded, actor="test", reason="erasure request")
    keyring.keys_cache_clear()
    again = Debtor.objects.get(pk=shredded.pk)
    assert is_unavailable(again.surname) and again.date_of_birth is None
    assert all(getattr(again, column) == "" for column in INDEX_COLUMNS)


def debtor_values_seal(values, *, key_id, cipher):
    """One debtor sealed field by field through the model fields' own sealing and index computation: the reference."""
    stored = dict(values)
    for name in SEALED_FIELDS:
        if name in stored:
            stored[name] = seal_with(Debtor, name, key_id, cipher, stored[name])
    for index in INDEX_FIELDS:
        stored[index.attname] = index.compute(*(values.get(source, "") for source in index.sources))
    return stored


@pytest.mark.django_db
def test_bulk_sealing_stores_what_the_one_by_one_sealing_stores(creditor):
    """The model fields' one-by-one sealing and the sealer agree on every index entry and plaintext."""
    rng = random.Random(11)  # noqa: S311 - reproducible test values
    sealer = debtors_sealer(FIELDS)
    rows = [_debtor_values(rng, number) for number in range(200)]
    for values, subject in zip(rows, sealer.seal(rows), strict=True):
        key_id = uuid.UUID(subject.key_id)
        master = keyring.master_keys().keys[sealer.master_version]
        cipher = AESGCM(primitives.key_unwrap(master, key_id, subject.wrapped_key))
        old = debtor_values_seal(dict(zip(FIELDS, values, strict=True)), key_id=key_id, cipher=cipher)
        assert tuple(old[column] for column in INDEX_COLUMNS) == subject.indexes
        for name, sealed in zip(sealer.sealed_fields, subject.sealed, strict=True):
            if not sealed:
                assert sealed == old[name]
                continue
            ad = primitives.associated_data("parties.debtor", name, subject.key_id)
            assert primitives.unseal(cipher, sealed, ad) == primitives.unseal(cipher, old[name], ad)


def test_sealed_values_keep_their_format_and_old_ones_still_open():
    """The prefix, then nonce and ciphertext in URL-safe base64, exactly as before ``binascii`` was used directly."""
    import base64

    cipher, ad = AESGCM(os.urandom(32)), b"parties.debtor|iban|k"
    for length in range(0, 80, 7):
        plaintext, nonce = "é" * length + "NL02", os.urandom(12)
        old = (
            primitives.PREFIX + base64.urlsafe_b64encode(nonce + cipher.encrypt(nonce, plaintext.encode(), ad)).decode()
        )
        assert primitives.seal(cipher, plaintext, ad, nonce) == old
        assert primitives.unseal(cipher, old, ad) == plaintext
