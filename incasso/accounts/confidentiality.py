"""The confidentiality statement staff accept before their first access (P-7, "bound to secrecy").

The statement in force is the newest published one (``published_at`` not in the future); publishing a new
version makes every staff member accept again. No statement published: nothing to accept.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from incasso.accounts.models import ConfidentialityAcceptance, ConfidentialityStatement
from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.domain.data_map import ProcessingPurpose


def _published() -> QuerySet[ConfidentialityStatement]:
    return ConfidentialityStatement.objects.filter(published_at__lte=timezone.now()).order_by("-published_at", "-pk")


def confidentiality_statement_current() -> ConfidentialityStatement | None:
    return _published().first()


def confidentiality_accepted(*, user: User) -> bool:
    """Whether the user accepted the statement in force (true when none is published). One query."""
    current = _published().values("pk")[:1]
    pending = ConfidentialityStatement.objects.filter(pk=Subquery(current)).exclude(
        pk__in=ConfidentialityAcceptance.objects.filter(user=user, statement=OuterRef("pk")).values("statement")
    )
    return not pending.exists()


@transaction.atomic
def confidentiality_accept(
    *, user: User, statement: ConfidentialityStatement, source: str
) -> ConfidentialityAcceptance:
    acceptance, created = ConfidentialityAcceptance.objects.get_or_create(user=user, statement=statement)
    if created:
        audit_record(
            actor=user,
            action=AuditAction.CREATE,
            subject=user,
            fields=["confidentiality_acceptance"],
            purpose=ProcessingPurpose.SECURITY,
            source=source,
            details={"statement": statement.version},
        )
    return acceptance
