"""A large batch is one append like a small one: the same chain, and rows that hold what was hashed."""

import pytest
from django.db import transaction

from incasso.audit.models import AuditAction, AuditEvent
from incasso.audit.services import AuditEntry, audit_record_bulk
from incasso.audit.verification import audit_chain_verify
from incasso.domain.audit_chain import SubjectRef
from incasso.domain.data_map import ProcessingPurpose

pytestmark = pytest.mark.django_db

LARGE = 1_207


def _entries(count: int, offset: int = 0) -> list[AuditEntry]:
    return [
        AuditEntry(
            "daily run",
            AuditAction.CREATE,
            SubjectRef("parties.Debtor", str(offset + n)),
            ["decisions.Decision.inputs"],
            ProcessingPurpose.DEBT_COLLECTION,
            "system",
            {"case_id": offset + n, "rule": "r1"},
        )
        for n in range(count)
    ]


def test_a_large_batch_continues_the_chain_of_a_small_one():
    with transaction.atomic():
        small = audit_record_bulk(_entries(3))
        large = audit_record_bulk(_entries(LARGE, offset=100))
    assert [event.sequence for event in large] == list(range(4, 4 + LARGE))
    assert large[0].prev_hash == small[-1].hash
    stored = dict(AuditEvent.objects.filter(sequence__gte=4).values_list("sequence", "hash"))
    assert stored == {event.sequence: event.hash for event in large}
    assert AuditEvent.objects.get(sequence=3 + LARGE).details == {"case_id": 99 + LARGE, "rule": "r1"}
    assert audit_chain_verify().whole
