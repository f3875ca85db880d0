"""Celery tasks of the audit log: thin wrappers that call one service each."""

from __future__ import annotations

from celery import shared_task

from incasso.audit.verification import audit_verification_run


@shared_task(name="incasso.audit.verify_chain")  # type: ignore[untyped-decorator]
def audit_verification_task(verification_id: int) -> str:
    """Walk the audit chain for a verification started in the back office. Idempotent: a finished one is left."""
    return audit_verification_run(verification_id=verification_id)
