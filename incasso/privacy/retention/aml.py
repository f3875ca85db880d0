"""Retention of anti-money-laundering checks (SPEC P-2: 5 years after the check, Wwft art. 33 lid 3).

The sweep's own rule, so ``incasso retention sweep`` (with its dry run and record of counts) enforces the policy
as it stands: a check is expired when it was made on or before the policy's last expired trigger day. Each chunk
is deleted in one transaction with one audit event per check, as ``incasso aml purge`` does.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from incasso.aml.models import AmlCheck
from incasso.audit.models import AuditAction
from incasso.audit.services import AuditEntry, audit_record_bulk
from incasso.domain.audit_chain import SubjectRef
from incasso.privacy.models import RetentionPolicy, RetentionSweep
from incasso.privacy.retention.policies import latest_expired_trigger, policy_period

AUDITED_FIELDS = ("aml.AmlCheck.outcome", "aml.AmlCheck.evidence")


def aml_sweep(
    *, sweep: RetentionSweep, policy: RetentionPolicy, chunk_size: int, on_chunk: Callable[[int], None]
) -> None:
    cutoff = latest_expired_trigger(policy_period(policy), sweep.as_of)
    expired = AmlCheck.objects.filter(checked_on__lte=cutoff).order_by("pk")
    last = 0
    while True:
        chunk = list(expired.filter(pk__gt=last).values_list("pk", "subject_type", "subject_id")[:chunk_size])
        if not chunk:
            return
        last = chunk[-1][0]
        if not sweep.dry_run:
            with transaction.atomic():
                AmlCheck.objects.filter(pk__in=[pk for pk, _, _ in chunk]).delete()
                audit_record_bulk(
                    [
                        AuditEntry(
                            actor="retention sweep",
                            action=AuditAction.DELETE,
                            subject=SubjectRef(subject_type, subject_id),
                            fields=AUDITED_FIELDS,
                            purpose=policy.purpose,
                            source="retention sweep",
                            details={"sweep": sweep.pk, "aml_check": pk},
                        )
                        for pk, subject_type, subject_id in chunk
                    ]
                )
        on_chunk(len(chunk))
