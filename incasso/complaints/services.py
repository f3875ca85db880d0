"""Complaints: received (the debtor portal calls ``complaint_submit``), answered and closed by staff."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.cases.models import Case
from incasso.complaints.models import TEXT_LENGTH, Complaint, ComplaintChannel, ComplaintStatus
from incasso.domain.data_map import ProcessingPurpose

DEFAULT_ANSWER_DAYS = 14


def complaint_answer_days() -> int:
    return int(getattr(settings, "INCASSO_COMPLAINT_ANSWER_DAYS", DEFAULT_ANSWER_DAYS))


def _checked_text(text: str, *, code: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError(_("Please write your complaint."), code=f"{code}_empty")
    if len(text) > TEXT_LENGTH:
        raise ValidationError(_("At most %(limit)d characters, please.") % {"limit": TEXT_LENGTH}, code=f"{code}_long")
    return text


@transaction.atomic
def complaint_submit(
    *,
    case: Case,
    text: str,
    channel: ComplaintChannel,
    source: str,
    actor: User | None = None,
    received_on: datetime.date | None = None,
) -> Complaint:
    """Record a complaint about ``case``; it is due for an answer ``INCASSO_COMPLAINT_ANSWER_DAYS`` days later.

    The debtor portal calls this with ``channel=ComplaintChannel.DEBTOR_PORTAL`` and no actor; staff record a
    complaint received by post, e-mail or phone with themselves as actor. Empty or over-long text: a
    ``ValidationError`` and nothing stored.
    """
    text = _checked_text(text, code="complaint")
    received = received_on or timezone.localdate()
    complaint = Complaint.objects.create(
        case=case,
        channel=channel.value,
        text=text,
        due_on=received + datetime.timedelta(days=complaint_answer_days()),
    )
    audit_record(
        actor=actor if actor is not None else "debtor",
        action=AuditAction.CREATE,
        subject=case.debtor,
        fields=["complaint"],
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=source,
        details={"case": case.number, "complaint_id": complaint.pk, "channel": channel.value},
    )
    return complaint


@transaction.atomic
def complaint_answer(*, complaint: Complaint, by: User, answer: str, close: bool, source: str) -> Complaint:
    """Answer a complaint (and close it, or leave it answered for a reply). A closed complaint stays closed."""
    answer = _checked_text(answer, code="answer")
    locked = Complaint.objects.select_for_update().select_related("case__debtor").get(pk=complaint.pk)
    if locked.status == ComplaintStatus.CLOSED:
        raise ValidationError(_("This complaint is already closed."), code="complaint_closed")
    locked.answer = answer
    locked.answered_at = timezone.now()
    locked.answered_by = by
    locked.status = ComplaintStatus.CLOSED if close else ComplaintStatus.ANSWERED
    locked.save(update_fields=["answer", "answered_at", "answered_by", "status"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        subject=locked.case.debtor,
        fields=["complaint_answer"],
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=source,
        details={"case": locked.case.number, "complaint_id": locked.pk, "status": locked.status},
    )
    return locked
