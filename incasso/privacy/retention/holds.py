"""Legal holds: who placed one, why, until when; released, never deleted."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.cases.models import Case, HoldKindChoices
from incasso.domain.data_map import ProcessingPurpose
from incasso.parties.models import Client, Debtor
from incasso.privacy.models import LegalHold


def legal_hold_place(
    *,
    placed_by: User,
    reason: str,
    case: Case | None = None,
    debtor: Debtor | None = None,
    client: Client | None = None,
    until: date | None = None,
) -> LegalHold:
    """Keep a case's data (all of a debtor's, a client's relationship data) past its retention until released or
    through ``until``."""
    if sum(subject is not None for subject in (case, debtor, client)) != 1:
        raise ValueError("a legal hold is on a case, on a debtor or on a client")
    if not reason.strip():
        raise ValueError("a legal hold needs a reason")
    with transaction.atomic():
        hold = LegalHold.objects.create(
            case=case, debtor=debtor, client=client, reason=reason, placed_by=placed_by, until=until
        )
        audit_record(
            actor=placed_by,
            action=AuditAction.CREATE,
            subject=_held(hold),
            fields=["legal_hold"],
            purpose=_purpose(hold),
            source="legal hold",
            details={"hold": hold.pk},
        )
    return hold


def legal_hold_release(*, hold: LegalHold, released_by: User) -> LegalHold:
    with transaction.atomic():
        hold.released_at = timezone.now()
        hold.save(update_fields=["released_at"])
        audit_record(
            actor=released_by,
            action=AuditAction.UPDATE,
            subject=_held(hold),
            fields=["legal_hold"],
            purpose=_purpose(hold),
            source="legal hold",
            details={"hold": hold.pk, "released": True},
        )
    return hold


def _held(hold: LegalHold) -> Case | Debtor | Client | None:
    return hold.debtor or hold.client or hold.case


def _purpose(hold: LegalHold) -> ProcessingPurpose:
    """A hold on a client keeps client-relationship data; the others, a case's or debtor's collection data."""
    return ProcessingPurpose.CLIENT_RELATIONSHIP if hold.client_id is not None else ProcessingPurpose.DEBT_COLLECTION


def active_on(as_of: date) -> Q:
    """Holds (``LegalHold`` or ``CaseHold``, whose fields share these names) in force on ``as_of``."""
    return Q(until__isnull=True) | Q(until__gte=as_of)


def active_legal_holds(as_of: date) -> tuple[Q, Q]:
    """Filters for the privacy legal holds and the cases' own legal holds in force on ``as_of``."""
    return (
        Q(released_at__isnull=True) & active_on(as_of),
        Q(kind=HoldKindChoices.LEGAL_HOLD, lifted_at__isnull=True) & active_on(as_of),
    )
