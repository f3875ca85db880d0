"""One step of a request: its history row and its audit event, written together in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User

from incasso.audit.models import AuditAction
from incasso.audit.services import Actor, AuditEntry, audit_record_bulk
from incasso.domain.audit_chain import JSONValue, SubjectRef
from incasso.domain.data_map import ProcessingPurpose
from incasso.rights.models import RequestEvent, RightsRequest


def actor_label(actor: Actor) -> str:
    return actor.get_username() if isinstance(actor, User) else str(actor)


def request_step(
    *,
    request: RightsRequest,
    action: str,
    actor: Actor,
    fields: Sequence[str] = ("rights.RightsRequest.status",),
    details: dict[str, JSONValue] | None = None,
    audit_action: AuditAction = AuditAction.UPDATE,
    debtor_ids: Sequence[int] = (),
) -> RequestEvent:
    """Record ``action`` in the request's history and in the audit log (about the request and its debtors)."""
    info: dict[str, JSONValue] = {"request": request.reference, "step": action, **(details or {})}
    event = RequestEvent.objects.create(request=request, action=action, actor_label=actor_label(actor), details=info)
    subjects = [SubjectRef("rights.RightsRequest", str(request.pk))]
    subjects += [SubjectRef("parties.Debtor", str(pk)) for pk in debtor_ids]
    audit_record_bulk(
        [
            AuditEntry(
                actor=actor,
                action=audit_action,
                subject=subject,
                fields=list(fields),
                purpose=ProcessingPurpose.SECURITY,
                source=f"rights request {request.channel}",
                details=info,
            )
            for subject in subjects
        ]
    )
    return event
