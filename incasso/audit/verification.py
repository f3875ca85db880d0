"""Verifying the audit chain: walk every row in order, in chunks, and name the first that does not fit.

``incasso audit verify`` and the back office's button (``audit_verification_start``) walk the chain with the same
``audit_chain_verify``; the button's walk is a job (a Celery task when a broker is configured, else in-process
once the request's transaction has committed) whose outcome is kept as an ``AuditVerification``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from incasso.audit.chain import COLUMNS, row_entry
from incasso.audit.models import (
    AuditAction,
    AuditChainHead,
    AuditEvent,
    AuditVerification,
    VerificationOutcome,
    stored_fields,
)
from incasso.audit.services import audit_record
from incasso.domain.audit_chain import ChainEntry, ChainReport, verify_chain
from incasso.domain.data_map import ProcessingPurpose

DEFAULT_CHUNK_SIZE = 5_000
# A verification still "running" after this long died with its worker: another may start.
RUNNING_AT_MOST = datetime.timedelta(hours=2)

logger = logging.getLogger(__name__)


def audit_chain_verify(*, chunk_size: int = DEFAULT_CHUNK_SIZE, to_head: bool = False) -> ChainReport:
    """Check every link and the head; memory stays flat however long the log (rows are streamed, not loaded).

    ``to_head``: walk the entries up to the head as read at the start only, for a walk while the log grows (the
    back office's job): the head and the rows are read by separate statements, and an entry appended between them
    is the next walk's rather than a head that "records another hash". Without it (``incasso audit verify``) an
    entry past the head is reported too.
    """
    head = AuditChainHead.objects.filter(pk=1).values_list("last_sequence", "last_hash").first()
    return verify_chain(_entries(chunk_size, up_to=head[0] if head and to_head else None), head=head)


def _entries(chunk_size: int, *, up_to: int | None = None) -> Iterator[ChainEntry]:
    # The fields as stored, set references and all: that is what each hash covers.
    columns = [name for name in COLUMNS if name != "fields"]
    events = AuditEvent.objects.order_by("sequence")
    if up_to is not None:
        events = events.filter(sequence__lte=up_to)
    rows = events.values(*columns, stored=stored_fields()).iterator(chunk_size=chunk_size)
    for values in rows:
        yield row_entry({**values, "fields": values["stored"]})


def audit_verification_start(*, by: User, source: str) -> AuditVerification:
    """Start a walk over the chain for ``by`` (its start recorded in the audit log), or give the one still running
    (a double click starts one walk). The walk runs after the caller's transaction commits: on a Celery worker when a
    broker is configured, else here, before this returns."""
    with transaction.atomic():
        running = (
            AuditVerification.objects.select_for_update()
            .filter(outcome=VerificationOutcome.RUNNING, started_at__gte=timezone.now() - RUNNING_AT_MOST)
            .first()
        )
        if running is not None:
            return running
        verification = AuditVerification.objects.create(started_at=timezone.now(), started_by=by)
        audit_record(
            actor=by,
            action=AuditAction.READ,
            subject=None,
            fields=[],
            purpose=ProcessingPurpose.SECURITY,
            source=source,
            details={"audit_verification": verification.pk},
        )
        # Enqueued only once committed: a worker must find the verification it is given.
        transaction.on_commit(lambda: _enqueue(verification.pk))
    verification.refresh_from_db()  # walked already when it ran here
    return verification


def _enqueue(verification_id: int) -> None:
    if settings.CELERY_BROKER_URL:
        from incasso.audit.tasks import audit_verification_task

        audit_verification_task.delay(verification_id)
    else:
        audit_verification_run(verification_id=verification_id)


def audit_verification_run(*, verification_id: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> str:
    """Walk the chain for a started verification and keep what it found; its outcome. Idempotent: a verification
    already finished (a retried task) is left as it is. An error leaves it "stopped without a verdict" and logged
    rather than running for ever."""
    if not AuditVerification.objects.filter(pk=verification_id, outcome=VerificationOutcome.RUNNING).exists():
        return str(AuditVerification.objects.filter(pk=verification_id).values_list("outcome", flat=True).first())
    try:
        report = audit_chain_verify(chunk_size=chunk_size, to_head=True)
    except Exception:
        logger.exception("audit chain verification %s stopped", verification_id)
        _finish(verification_id, outcome=VerificationOutcome.FAILED)
        return VerificationOutcome.FAILED.value
    broken = report.broken
    outcome = VerificationOutcome.WHOLE if broken is None else VerificationOutcome.BROKEN
    _finish(
        verification_id,
        outcome=outcome,
        entries=report.entries,
        last_sequence=report.last_sequence or None,
        last_hash=report.last_hash if report.last_sequence else "",
        broken_sequence=broken.sequence if broken else None,
        broken_reason=str(broken.reason) if broken else "",
        broken_detail=broken.detail[:200] if broken else "",
    )
    return outcome.value


def _finish(verification_id: int, *, outcome: VerificationOutcome, **found: object) -> None:
    # Compare-and-set on "running": two workers given the same verification finish it once.
    AuditVerification.objects.filter(pk=verification_id, outcome=VerificationOutcome.RUNNING).update(
        outcome=outcome, finished_at=timezone.now(), **found
    )
