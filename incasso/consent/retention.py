"""Retention of the consent records of website visitors (SPEC P-2: marketing data 36 months after the last contact).

A visitor's cookie answers are proof of consent for as long as they may be relied on; once the visitor's last
answer is older than the marketing policy's period, all of that visitor's records are deleted. Newsletter data
needs no sweep (it is erased at the moment of unsubscribing); a debtor's consent records are kept with the case.

``marketing_sweep`` has the signature of ``privacy.retention.sweep.SWEEPERS`` entries, so the one sweep command
(`incasso retention sweep --purpose marketing`) enforces it with its dry run and its record of counts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.consent.models import ConsentRecord, SubjectKind
from incasso.domain.data_map import ProcessingPurpose
from incasso.privacy.models import RetentionPolicy, RetentionSweep
from incasso.privacy.retention.policies import latest_expired_trigger, policy_period


def expired_visitors(*, as_of: date, policy: RetentionPolicy) -> QuerySet[ConsentRecord, dict[str, object]]:
    """Visitor ids whose last cookie answer was given on or before the policy's last expired trigger day."""
    cutoff = latest_expired_trigger(policy_period(policy), as_of)
    before = timezone.make_aware(datetime.combine(cutoff + timedelta(days=1), time.min))
    return (
        ConsentRecord.objects.filter(subject_kind=SubjectKind.VISITOR)
        .values("subject_ref")
        .annotate(last=Max("recorded_at"))
        .filter(last__lt=before)
        .order_by("subject_ref")
    )


def marketing_sweep(
    *, sweep: RetentionSweep, policy: RetentionPolicy, chunk_size: int, on_chunk: Callable[[int], None]
) -> None:
    """Delete the expired visitors' records in chunks of visitors, each chunk one transaction with its audit event."""
    last = ""
    while True:
        refs = [
            str(row["subject_ref"])
            for row in expired_visitors(as_of=sweep.as_of, policy=policy).filter(subject_ref__gt=last)[:chunk_size]
        ]
        if not refs:
            return
        last = refs[-1]
        if not sweep.dry_run:
            with transaction.atomic():
                deleted, _ = ConsentRecord.objects.filter(
                    subject_kind=SubjectKind.VISITOR, subject_ref__in=refs
                ).delete()
                audit_record(
                    actor="retention sweep",
                    action=AuditAction.DELETE,
                    subject=None,
                    fields=["subject_ref", "purpose", "given", "where", "method", "language"],
                    purpose=ProcessingPurpose.MARKETING,
                    source="retention sweep",
                    details={"sweep": sweep.pk, "visitors": len(refs), "consent_records": deleted},
                )
        on_chunk(len(refs))
