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
from incasso.parties.models import Debtor
from incasso.privacy.models import LegalHold


def legal_hold_place(
    *, placed_by: User, reason: str, case: Case | None = None, debtor: Debtor | None = None, until: date | None = None
) -> LegalHold:
    """Keep a case's (or all of a debtor's) data past its retention until released or through ``until``."""
    if (case is None) == (debtor is None):
        raise ValueError("a legal hold is on a case or on a debtor")
    if not reason.strip():
        raise ValueError("a legal hold needs a reason")
    with transaction.atomic():
        hold = LegalHold.objects.create(case=case, debtor=debtor, reason=reason, placed_by=placed_by, until=until)
        audit_record(
            actor=placed_by,
            action=AuditAction.CREATE,
            subject=debtor if debtor is not None else case,
            fields=["legal_hold"],
            purpose=ProcessingPurpose.DEBT_COLLECTION,
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
            subject=hold.debtor if hold.debtor is not None else hold.case,
            fields=["legal_hold"],
            purpose=ProcessingPurpose.DEBT_COLLECTION,
            source="legal hold",
            details={"hold": hold.pk, "released": True},
        )
    return hold


def active_on(as_of: date) -> Q:
    """Holds (``LegalHold`` or ``CaseHold``, whose fields share these names) in force on ``as_of``."""
    return Q(until__isnull=True) | Q(until__gte=as_of)


def active_legal_holds(as_of: date) -> tuple[Q, Q]:
    """Filters for the privacy legal holds and the cases' own legal holds in force on ``as_of``."""
    return (
        Q(released_at__isnull=True) & active_on(as_of),
        Q(kind=HoldKindChoices.LEGAL_HOLD, lifted_at__isnull=True) & active_on(as_of),
    )
