"""The daily run's outcome does not depend on how it is chunked: one chunk and many tiny chunks (each with its own
set-based reads, bulk writes and audit batch) leave the same stages, measures, tasks, letters, decisions and
limitation dates, and the same number of audit entries in one unbroken chain."""

import pytest
from django.db import transaction

from incasso.audit.models import AuditEvent
from incasso.audit.verification import audit_chain_verify
from incasso.cases.models import Case, Claim, Measure, StaffTask
from incasso.collection.daily_run import daily_run
from incasso.communications.models import Letter
from incasso.decisions.models import Decision

pytestmark = pytest.mark.django_db


def _outcome() -> dict[str, object]:
    return {
        "cases": sorted(
            Case.objects.values_list(
                "pk", "stage", "next_measure_on", "costs_due_from", "fourteen_day_letter_posted_on", "last_run_on"
            )
        ),
        "claims": sorted(Claim.objects.values_list("pk", "limitation_date", "limitation_interrupted_on")),
        "measures": sorted(Measure.objects.values_list("case_id", "kind", "status", "planned_for")),
        "tasks": sorted(StaffTask.objects.values_list("case_id", "kind", "due_on")),
        "letters": sorted(Letter.objects.values_list("case_id", "kind", "language", "status")),
        "decisions": sorted(Decision.objects.values_list("case_id", "rule_id", "variant", "outcome")),
        "audit_entries": AuditEvent.objects.count(),
    }


def test_one_chunk_and_many_small_chunks_give_the_same_outcome():
    from incasso.demo.dataset import REFERENCE_DATE
    from incasso.demo.services import demo_create

    demo_create(seed=1, debtors=120)
    outcomes, summaries = [], []
    for chunk_size in (10_000, 7):
        point = transaction.savepoint()
        summaries.append(daily_run(on=REFERENCE_DATE, chunk_size=chunk_size))
        outcomes.append(_outcome())
        assert audit_chain_verify().whole
        transaction.savepoint_rollback(point)
    one, many = summaries
    assert one.chunks == 1 and many.chunks > 5
    assert (one.cases, one.decided, one.moved, one.measures, one.letters, one.tasks) == (
        many.cases,
        many.decided,
        many.moved,
        many.measures,
        many.letters,
        many.tasks,
    )
    assert one.decided > 0 and one.letters > 0
    assert outcomes[0] == outcomes[1]
