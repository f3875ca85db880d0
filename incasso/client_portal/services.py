"""Writes of the client portal: the client's answer on legal steps (payout statements: ``ledger.services``)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.cases.models import Case, Measure, MeasureStatus, StaffTask, TaskKind, TaskStatus
from incasso.client_portal.models import LegalStepsDecision
from incasso.domain.data_map import ProcessingPurpose
from incasso.webhooks.models import WebhookEventType
from incasso.webhooks.services import webhook_event_emit


class NothingToDecide(Exception):
    """The case has no legal step waiting for the client's approval."""


@transaction.atomic
def legal_steps_decide(*, case: Case, user: User, approved: bool, reason: str, source: str) -> LegalStepsDecision:
    """Record the client's answer to a request for legal steps (processor agreement: they need approval).

    Approved: the case may move to legal (``legal_steps_approved_at``) and the waiting measures are planned again,
    so the next daily run takes them. Refused: the waiting measures are cancelled. Either way the open approval
    tasks are closed with the answer, the decision is kept, audited, and sent to the client's webhooks.
    """
    locked = Case.objects.select_for_update().get(pk=case.pk)
    waiting = Measure.objects.filter(case=locked, status=MeasureStatus.AWAITING_APPROVAL)
    if not waiting.exists():
        raise NothingToDecide(locked.number)
    now = timezone.now()
    waiting.update(status=MeasureStatus.PLANNED if approved else MeasureStatus.CANCELLED)
    if approved:
        locked.legal_steps_approved_at = now
        locked.save(update_fields=["legal_steps_approved_at"])
    outcome = ("approved by the client" if approved else "refused by the client") + (f": {reason}" if reason else "")
    StaffTask.objects.filter(case=locked, kind=TaskKind.APPROVAL, status=TaskStatus.OPEN).update(
        status=TaskStatus.DONE, outcome=outcome[:2000], closed_at=now, closed_by=user
    )
    decision = LegalStepsDecision.objects.create(case=locked, decided_by=user, approved=approved, reason=reason)
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        subject=locked.debtor,
        fields=["legal_steps_approved_at"],
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=source,
        details={"case": locked.number, "approved": approved},
    )
    webhook_event_emit(
        client=locked.client_id,
        event=WebhookEventType.LEGAL_STEPS_DECIDED,
        payload={"case": locked.number, "approved": approved},
    )
    return decision
