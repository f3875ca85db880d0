"""Crypto-shredding and master-key rotation (P-3)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation

from incasso.audit.models import AuditEvent
from incasso.communications.selectors import letter_addressees
from incasso.crypto import keyring
from incasso.crypto.fields import BlindIndexField, SubjectErased, is_unavailable
from incasso.crypto.models import DataKey, RetiredMasterKey
from incasso.crypto.selectors import subjects_field_values
from incasso.crypto.services import KeyOperationRefused, data_keys_destroy, master_key_retire, subject_key_shred
from incasso.parties.factories import DebtorFactory
from incasso.parties.models import Debtor
from incasso.parties.selectors import debtor_ids_by_iban, debtors_matching
from incasso.sensitive.models import SpecialCategoryRecord

pytestmark = pytest.mark.django_db

V1, V2 = ("v1", b"\x11" * 32), ("v2", b"\x22" * 32)


def fresh(debtor: Debtor) -> Debtor:
    keyring.keys_cache_clear()
    return Debtor.objects.get(pk=debtor.pk)


def keys(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("keys", *args, stdout=out)
    result: dict[str, object] = json.loads(out.getvalue())
    return result


def test_a_shredded_debtor_reads_as_erased_everywhere_and_is_no_longer_found(case, staff_user):
    debtor = case.debtor
    iban, email = debtor.iban, debtor.email
    assert list(debtors_matching(client=debtor.client, iban=iban)) == [debtor]

    key = subject_key_shred(subject=debtor, actor=staff_user, reason="erasure request 12")

    assert key.destroyed_at is not None and key.wrapped_key is None
    assert DataKey.objects.filter(pk=key.pk).exists()  # the tombstone
    loaded = fresh(debtor)
    for name in ("given_names", "surname", "street", "postcode", "city", "email", "phone", "iban"):
        value = getattr(loaded, name)
        assert value == "" or is_unavailable(value), name
    assert is_unavailable(loaded.surname) and is_unavailable(loaded.iban)
    assert loaded.date_of_birth is None
    assert loaded.personal_data_erased and loaded.display_name == "[erased]"
    with translation.override("nl"):
        assert fresh(debtor).display_name in {"[gewist]", "[erased]"}
    # The blind indexes are gone: searches no longer find the debtor.
    assert not debtors_matching(client=debtor.client, iban=iban).exists()
    assert not debtors_matching(client=debtor.client, email=email).exists()
    assert debtor_ids_by_iban(ibans=[iban]) == {}
    assert Debtor.objects.filter(pk=debtor.pk, iban_index="", name_index="").exists()
    # A letter's context shows the placeholder, not an error.
    keyring.keys_cache_clear()
    recipient = letter_addressees(case_ids=[case.pk])[case.pk].recipient
    assert (recipient.name, recipient.postcode) == ("[erased]", "[erased]")
    # Saving the row again keeps it as it is; new personal data cannot be written for it.
    loaded.country = "BE"
    loaded.save()
    assert is_unavailable(fresh(debtor).surname)
    loaded.surname = "Nieuw"
    with pytest.raises(SubjectErased), transaction.atomic():
        loaded.save()
    event = AuditEvent.objects.get(subject_type="parties.Debtor", subject_id=str(debtor.pk), action="delete")
    assert event.details["reason"] == "erasure request 12" and "surname" in event.fields


def test_the_case_api_still_answers_for_a_shredded_debtor(case, staff_user, client):
    subject_key_shred(subject=case.debtor, actor=staff_user, reason="erasure")
    keyring.keys_cache_clear()
    client.force_login(staff_user)
    response = client.get(f"/api/v1/cases/{case.number}")
    assert response.status_code in {200, 401, 403, 404}  # never a 500
    assert "Traceback" not in response.content.decode()


def test_shredding_needs_a_key_and_a_reason(staff_user):
    debtor = DebtorFactory()
    with pytest.raises(ValueError, match="reason"):
        subject_key_shred(subject=debtor, actor=staff_user, reason=" ")
    assert not is_unavailable(fresh(debtor).surname)


def test_many_keys_are_destroyed_at_once_with_their_records_and_index_entries(staff_user, django_assert_num_queries):
    gone, also_gone, kept = DebtorFactory(), DebtorFactory(), DebtorFactory()
    record = SpecialCategoryRecord.objects.create(
        debtor=gone,
        category="health",
        basis="explicit_consent",
        consent_reference="form 7",
        content="diabetes",
        recorded_by=staff_user,
        data_key_id=gone.data_key_id,
    )
    ids = [gone.data_key_id, also_gone.data_key_id]
    indexed = [m for m in apps.get_models() if any(isinstance(f, BlindIndexField) for f in m._meta.concrete_fields)]
    assert len(indexed) > 1
    with transaction.atomic(), django_assert_num_queries(2):  # the keys; the debtors' index entries, nobody else's
        assert data_keys_destroy(key_ids=ids) == 2
    # Again: nothing left to destroy, and destroyed keys name no owner, so every model's entries are looked at.
    with transaction.atomic(), django_assert_num_queries(len(indexed) + 1):
        assert data_keys_destroy(key_ids=ids) == 0
    assert DataKey.objects.filter(pk__in=ids, destroyed_at__isnull=False, wrapped_key__isnull=True).count() == 2
    for debtor in (gone, also_gone):
        loaded = fresh(debtor)
        assert loaded.personal_data_erased and is_unavailable(loaded.iban)
        assert not debtors_matching(client=debtor.client, iban=debtor.iban).exists()
    assert is_unavailable(SpecialCategoryRecord.objects.get(pk=record.pk).content)
    assert fresh(kept).surname == kept.surname
    assert list(debtors_matching(client=kept.client, iban=kept.iban)) == [kept]


def test_one_field_of_many_subjects_opens_in_one_query(django_assert_num_queries):
    debtors = [DebtorFactory(postcode=f"{n}0 AB".rjust(7, "1")) for n in range(1, 4)]
    with transaction.atomic():
        data_keys_destroy(key_ids=[debtors[2].data_key_id])
    keyring.keys_cache_clear()
    with django_assert_num_queries(2):  # the values with their wrapped keys; the retired master versions
        found = subjects_field_values(model=Debtor, field_name="postcode", pks=[d.pk for d in debtors])
    by_pk = {value.pk: value for value in found}
    assert [(by_pk[d.pk].key_id, by_pk[d.pk].value) for d in debtors] == [
        (debtors[0].data_key_id, debtors[0].postcode),
        (debtors[1].data_key_id, debtors[1].postcode),
        (debtors[2].data_key_id, None),  # destroyed: unreadable
    ]
    with pytest.raises(TypeError):
        subjects_field_values(model=SpecialCategoryRecord, field_name="content", pks=[])


def test_rotation_rewraps_every_key_while_both_versions_read(settings):
    settings.INCASSO_MASTER_KEYS = [V1]
    old = [DebtorFactory() for _ in range(3)]
    settings.INCASSO_MASTER_KEYS = [V2, V1]
    new = DebtorFactory()
    assert DataKey.objects.get(pk=new.data_key_id).master_version == "v2"
    assert DataKey.objects.filter(master_version="v1").count() == 3
    # During the rotation both versions are configured: old and new keys read.
    assert [fresh(d).surname for d in (*old, new)] == [d.surname for d in (*old, new)]
    status = keys("status")
    assert status["live_by_version"] == {"v1": 3, "v2": 1} and status["current_version"] == "v2"

    with pytest.raises(CommandError, match="3 data keys"):
        keys("retire", "v1")
    assert keys("rotate", "--batch-size", "2") == {
        "rewrapped": 3,
        "already_current": 1,
        "destroyed": 0,
        "unreadable": 0,
    }
    assert set(DataKey.objects.values_list("master_version", flat=True)) == {"v2"}
    assert keys("rotate")["rewrapped"] == 0  # re-running finds nothing left

    assert keys("retire", "v1")["retired"] == "v1"
    assert RetiredMasterKey.objects.filter(version="v1").exists()
    assert keys("status")["retired_still_configured"] == ["v1"]
    settings.INCASSO_MASTER_KEYS = [V2]
    assert [fresh(d).surname for d in (*old, new)] == [d.surname for d in (*old, new)]


def test_the_current_master_key_cannot_be_retired(settings):
    settings.INCASSO_MASTER_KEYS = [V2, V1]
    with pytest.raises(CommandError, match="current"):
        keys("retire", "v2")


def test_a_backup_key_wrapped_under_a_retired_version_stays_unreadable(settings):
    """A restored backup holds the key wrapped under the old version; once that version is retired, it is refused
    even if someone puts the old master key back."""
    settings.INCASSO_MASTER_KEYS = [V1]
    debtor = DebtorFactory()
    backup = DataKey.objects.get(pk=debtor.data_key_id)
    settings.INCASSO_MASTER_KEYS = [V2, V1]
    keys("rotate")
    keys("retire", "v1")
    # "Restore" the old wrapped key.
    DataKey.objects.filter(pk=backup.pk).update(wrapped_key=backup.wrapped_key, master_version="v1")
    assert is_unavailable(fresh(debtor).surname)


def test_retiring_refuses_an_unknown_version_only_while_keys_use_it(settings):
    settings.INCASSO_MASTER_KEYS = [V2]
    DebtorFactory()
    with pytest.raises(KeyOperationRefused):
        master_key_retire(version="v2")
