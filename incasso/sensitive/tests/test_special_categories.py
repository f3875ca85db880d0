"""Special-category data: legal officers only, with a basis, apart and sealed, every view audited (issue 5 item 7)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from incasso.accounts.factories import UserFactory
from incasso.accounts.roles import Role
from incasso.audit.models import AuditEvent
from incasso.cases.factories import CaseFactory
from incasso.crypto import keyring
from incasso.crypto.fields import is_unavailable
from incasso.crypto.services import subject_key_shred
from incasso.parties.factories import DebtorFactory
from incasso.sensitive.models import SpecialCategoryRecord
from incasso.sensitive.selectors import special_categories_for_debtor
from incasso.sensitive.services import special_categories_consent_withdraw, special_category_record

pytestmark = pytest.mark.django_db


def with_role(user, role):
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def officer():
    return with_role(UserFactory(username="legal@example.com"), Role.LEGAL_OFFICER)


@pytest.fixture
def collector():
    return with_role(UserFactory(username="collector@example.com"), Role.COLLECTOR)


def record(officer, the_case, **kwargs):
    values = {"category": "health", "basis": "legal_claim", "content": "Hospitalised March 2026", "case": the_case}
    return special_category_record(actor=officer, debtor=the_case.debtor, **{**values, **kwargs})


def test_a_legal_officer_records_and_reads_it_and_each_step_is_audited(officer, case):
    stored = record(officer, case)
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM sensitive_specialcategoryrecord")
        (raw,) = cursor.fetchone()
    assert raw.startswith("e1.") and "Hospitalised" not in raw
    assert stored.data_key_id == case.debtor.data_key_id  # sealed under the debtor's own key
    before = AuditEvent.objects.filter(action="read").count()

    keyring.keys_cache_clear()
    [read] = special_categories_for_debtor(user=officer, debtor_id=case.debtor_id, source="test")

    assert read.content == "Hospitalised March 2026"
    event = AuditEvent.objects.filter(action="read").latest("sequence")
    assert AuditEvent.objects.filter(action="read").count() == before + 1
    assert (event.actor_id, event.subject_type, event.subject_id) == (officer.pk, "parties.Debtor", str(case.debtor_id))
    assert event.details["records"] == [str(stored.pk)]
    assert AuditEvent.objects.filter(action="create", details__record=str(stored.pk)).exists()


def test_a_collector_or_a_superuser_without_the_role_is_refused(officer, collector, case):
    record(officer, case)
    boss = UserFactory(username="root@example.com", is_superuser=True)
    reads = AuditEvent.objects.filter(action="read").count()
    for user in (collector, boss):
        with pytest.raises(PermissionDenied):
            special_categories_for_debtor(user=user, debtor_id=case.debtor_id)
        with pytest.raises(PermissionDenied):
            record(user, case)
    assert AuditEvent.objects.filter(action="read").count() == reads
    assert SpecialCategoryRecord.objects.count() == 1


def test_a_debtor_without_a_case_is_not_found(officer):
    from django.http import Http404

    with pytest.raises(Http404):
        special_categories_for_debtor(user=officer, debtor_id=DebtorFactory().pk)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"basis": "explicit_consent"}, "consent_reference"),
        ({"basis": "legal_claim", "case": None}, "case"),
        ({"basis": "because"}, "basis"),
        ({"content": "  "}, "content"),
        ({"category": "religion"}, "category"),
    ],
)
def test_nothing_is_stored_without_a_basis_or_content(officer, case, changes, field):
    with pytest.raises(ValidationError) as error:
        record(officer, case, **changes)
    assert field in error.value.message_dict
    assert not SpecialCategoryRecord.objects.exists()


def test_a_claim_of_another_debtor_is_no_basis(officer, case):
    from incasso.cases.factories import CaseFactory

    other = CaseFactory()
    with pytest.raises(ValidationError):
        special_category_record(
            actor=officer, debtor=case.debtor, category="criminal", basis="legal_claim", content="x", case=other
        )


def test_explicit_consent_with_its_reference_is_a_basis(officer, case):
    stored = record(officer, case, basis="explicit_consent", consent_reference="form 2026-17", category="criminal")
    assert (stored.case_id, stored.consent_reference) == (None, "form 2026-17")


def test_shredding_the_debtor_shreds_the_special_categories_too(officer, case):
    record(officer, case)
    subject_key_shred(subject=case.debtor, actor=officer, reason="erasure")
    keyring.keys_cache_clear()
    [read] = special_categories_for_debtor(user=officer, debtor_id=case.debtor_id)
    assert is_unavailable(read.content)


def test_two_records_cannot_swap_their_contents(officer, case):
    first, second = record(officer, case, content="first"), record(officer, case, content="second")
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM sensitive_specialcategoryrecord WHERE id = %s", [first.pk.hex])
        (raw,) = cursor.fetchone()
        cursor.execute("UPDATE sensitive_specialcategoryrecord SET content = %s WHERE id = %s", [raw, second.pk.hex])
    keyring.keys_cache_clear()
    contents = {r.pk: r.content for r in special_categories_for_debtor(user=officer, debtor_id=case.debtor_id)}
    assert contents[first.pk] == "first"
    assert is_unavailable(contents[second.pk])


def test_withdrawing_consent_deletes_the_records_held_on_it_and_keeps_those_for_a_legal_claim(officer, case):
    on_consent = record(officer, case, basis="explicit_consent", consent_reference="form 12", case=None)
    for_claim = record(officer, case)
    other_debtor = record(officer, CaseFactory(), basis="explicit_consent", consent_reference="f 9")

    deleted = special_categories_consent_withdraw(debtor_ids=[case.debtor_id], actor="rights", reason="RR-1")

    assert deleted == 1
    left = set(SpecialCategoryRecord.objects.values_list("pk", flat=True))
    assert left == {for_claim.pk, other_debtor.pk} and on_consent.pk not in left
    (event,) = AuditEvent.objects.filter(source="consent withdrawn")
    assert event.action == "delete" and event.details["records"] == [str(on_consent.pk)]
    assert special_categories_consent_withdraw(debtor_ids=[case.debtor_id], actor="rights", reason="again") == 0
