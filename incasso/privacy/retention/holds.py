"""Legal holds: who placed one, why, until when; released, never deleted.

Who may place or release a hold is decided by role in the back office; what they may hold is what they may see
(P-7): a case through ``access_cases``, a debtor or client through ``access_clients``. ``legal_holds_visible`` is
that rule for listing, and placing and releasing refuse (``HoldOutsideCases``) what it leaves out, so a hold on
another team's or client's data cannot be placed or lifted by guessing its number.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from incasso.accounts.access import access_cases, access_clients
from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.cases.models import Case, HoldKindChoices
from incasso.domain.data_map import ProcessingPurpose
from incasso.parties.models import Client, Debtor
from incasso.privacy.models import LegalHold


class HoldOutsideCases(Exception):
    """The hold, or what it would be on, is outside the cases and clients the user may see."""


def legal_holds_visible(*, user: User) -> QuerySet[LegalHold]:
    """The holds on what ``user`` may see: cases they may see, and debtors and clients of clients they may see."""
    clients = access_clients(user=user)
    return LegalHold.objects.filter(
        Q(case__in=access_cases(user=user)) | Q(debtor__client__in=clients) | Q(client__in=clients)
    )


def _may_hold(user: User, *, case: Case | None, debtor: Debtor | None, client: Client | None) -> bool:
    if case is not None:
        return access_cases(user=user).filter(pk=case.pk).exists()
    client_id = debtor.client_id if debtor is not None else client.pk if client is not None else None
    return client_id is not None and access_clients(user=user).filter(pk=client_id).exists()


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
    if until is not None and until < timezone.localdate():
        raise ValueError("a legal hold cannot end before today")
    if not _may_hold(placed_by, case=case, debtor=debtor, client=client):
        raise HoldOutsideCases
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
    """Release a hold in force; ``HoldOutsideCases`` when it is on something ``released_by`` may not see."""
    if not legal_holds_visible(user=released_by).filter(pk=hold.pk).exists():
        raise HoldOutsideCases
    if hold.released_at is not None:
        raise ValueError("the legal hold was released already")
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
