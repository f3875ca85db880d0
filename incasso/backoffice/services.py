"""Writes of the back office: each in one transaction with its audit event."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.backoffice.models import NOTE_LENGTH, CaseNote
from incasso.cases.models import Case, StaffTask, TaskStatus
from incasso.cases.services import task_close
from incasso.domain.data_map import ProcessingPurpose

OUTCOME_LENGTH = 2000


@transaction.atomic
def case_note_add(*, case: Case, author: User, text: str, source: str) -> CaseNote:
    """Add a note to the case file; an empty or over-long note is refused and nothing is written."""
    text = text.strip()
    if not text:
        raise ValidationError(_("A note cannot be empty."), code="note_empty")
    if len(text) > NOTE_LENGTH:
        raise ValidationError(_("A note is at most %(limit)d characters.") % {"limit": NOTE_LENGTH}, code="note_long")
    note = CaseNote.objects.create(case=case, author=author, text=text)
    audit_record(
        actor=author,
        action=AuditAction.CREATE,
        subject=case.debtor,
        fields=["case_note"],
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=source,
        details={"case": case.number, "note_id": note.pk},
    )
    return note


@transaction.atomic
def queue_task_work(*, task: StaffTask, actor: User, outcome: str, done: bool, source: str) -> StaffTask:
    """Close a queue item with its outcome (done or cancelled), audited on the case's debtor."""
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError(_("Say what was done: the outcome is required."), code="outcome_required")
    if len(outcome) > OUTCOME_LENGTH:
        raise ValidationError(_("The outcome is too long."), code="outcome_long")
    closed = task_close(
        task=task, actor=actor, outcome=outcome, status=TaskStatus.DONE if done else TaskStatus.CANCELLED
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        subject=task.case.debtor if task.case is not None else None,
        fields=["task_outcome"],
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=source,
        details={"task_id": task.pk, "status": closed.status, "case": task.case.number if task.case else ""},
    )
    return closed
