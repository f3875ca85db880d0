"""Visitors' cookie consent records go 36 months after their last answer (the marketing policy, SPEC P-2)."""

from __future__ import annotations

import datetime

import pytest

from incasso.audit.models import AuditEvent
from incasso.consent.identity import ConsentSubject
from incasso.consent.models import ConsentRecord, SubjectKind
from incasso.consent.retention import marketing_sweep
from incasso.consent.services import consent_give, consent_withdraw
from incasso.privacy.models import RetentionPolicy, RetentionSweep
from incasso.privacy.retention.policies import retention_policies_ensure

pytestmark = pytest.mark.django_db
AMSTERDAM = datetime.timezone(datetime.timedelta(hours=1))


def _answer(ref: str, day: datetime.date, *, given: bool = True) -> None:
    at = datetime.datetime.combine(day, datetime.time(12), tzinfo=AMSTERDAM)
    service = consent_give if given else consent_withdraw
    service(
        subject=ConsentSubject(SubjectKind.VISITOR, ref),
        purpose="analytics_cookies",
        where="/",
        method="button",
        language="nl",
        now=at,
    )


def _sweep(as_of: datetime.date, *, dry_run: bool = False, chunk_size: int = 100) -> int:
    policy = RetentionPolicy.objects.get(purpose="marketing")
    record = RetentionSweep.objects.create(dry_run=dry_run, as_of=as_of)
    counted: list[int] = []
    marketing_sweep(sweep=record, policy=policy, chunk_size=chunk_size, on_chunk=counted.append)
    return sum(counted)


def test_a_visitor_is_forgotten_36_months_after_the_last_answer_not_the_first():
    retention_policies_ensure()
    old, renewed, other = "o" * 20, "r" * 20, "p" * 20
    _answer(old, datetime.date(2022, 1, 10))
    _answer(other, datetime.date(2022, 1, 9))
    _answer(renewed, datetime.date(2022, 1, 10))
    _answer(renewed, datetime.date(2023, 6, 1), given=False)
    assert _sweep(datetime.date(2025, 1, 9)) == 1  # the day before, only the visitor of the 9th has expired
    assert _sweep(datetime.date(2025, 1, 10), dry_run=True) == 1
    assert ConsentRecord.objects.filter(subject_ref=old).count() == 1
    assert _sweep(datetime.date(2025, 1, 10), chunk_size=1) == 1
    assert set(ConsentRecord.objects.values_list("subject_ref", flat=True)) == {renewed}
    assert AuditEvent.objects.filter(source="retention sweep", purpose="marketing").count() == 2
