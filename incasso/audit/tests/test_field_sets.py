"""Named field sets (``audit.field_sets``): an entry stores one reference, the chain covers that reference, and
every reader through the model sees the fields it stands for. A registered set never changes."""

import hashlib
import json

import pytest
from django.db import transaction

from incasso.audit.field_sets import FIELD_SETS, UnknownFieldSet, field_set_reference, fields_expanded
from incasso.audit.models import AuditAction, AuditEvent
from incasso.audit.services import AuditEntry, audit_record, audit_record_bulk
from incasso.audit.verification import audit_chain_verify
from incasso.domain.audit_chain import SubjectRef
from incasso.domain.data_map import ProcessingPurpose

SET = "retention.anonymise/1"
# Each registered set's contents, pinned: an entry written under a set must read the same for ever. A job whose list
# changes registers a new version beside the old one and adds its digest here; an existing digest never changes.
PINNED = {
    SET: "30152a1207f4481d92dc4e5b0993e53bef54250dc272e0a8047420bd8df29d13",
    "retention.anonymise/2": "2242d85c8ac2e1b9ff7326049bb9ca63e8c002754577444db485fe9b8a87abd0",
    "retention.anonymise/3": "8f07be605671a6a7690770dfed32003730da63c441bb610559b8b1f1c340cf67",
    "retention.client_contacts/1": "b8d30e2f617a7a5ad6f97b2bb3c2f3f208d0b217c5949bda3475195b137d4c69",
}


def _digest(names):
    return hashlib.sha256(json.dumps(list(names)).encode()).hexdigest()


def test_every_registered_set_is_pinned_and_unchanged():
    assert {name: _digest(names) for name, names in FIELD_SETS.items()} == PINNED


def test_a_reference_is_made_only_for_the_fields_the_set_names():
    names = list(FIELD_SETS[SET])
    assert field_set_reference(SET, fields=names) == ["@" + SET]
    with pytest.raises(ValueError, match="register a new version"):
        field_set_reference(SET, fields=names[:-1])
    with pytest.raises(UnknownFieldSet):
        field_set_reference("retention.anonymise/99", fields=names)


def test_references_expand_in_place_and_plain_names_stay():
    assert fields_expanded(["a.B.c", "@" + SET, "d.E.f"]) == ["a.B.c", *FIELD_SETS[SET], "d.E.f"]
    assert fields_expanded(["a.B.c"]) == ["a.B.c"]


def _entry(n, fields):
    return AuditEntry(
        "retention sweep",
        AuditAction.UPDATE,
        SubjectRef("parties.Debtor", str(n)),
        fields,
        ProcessingPurpose.DEBT_COLLECTION,
        "retention sweep",
        {"action": "anonymise"},
    )


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 1_207], ids=["small append", "large append"])
def test_an_entry_stores_the_reference_reads_the_fields_and_verifies(count):
    reference = field_set_reference(SET, fields=FIELD_SETS[SET])
    with transaction.atomic():
        links = audit_record_bulk([_entry(n, reference) for n in range(count)])
    assert links[0].content["fields"] == ["@" + SET]  # what the hash covers
    event = AuditEvent.objects.get(sequence=links[0].sequence)
    assert event.fields == list(FIELD_SETS[SET])  # what every reader sees
    assert audit_chain_verify().whole


@pytest.mark.django_db
def test_an_entry_naming_an_unknown_set_is_refused():
    with pytest.raises(UnknownFieldSet), transaction.atomic():
        audit_record(
            actor="retention sweep",
            action=AuditAction.UPDATE,
            subject=None,
            fields=["@no.such.set/1"],
            purpose=ProcessingPurpose.DEBT_COLLECTION,
            source="test",
        )
    assert not AuditEvent.objects.exists()
