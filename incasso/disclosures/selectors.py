"""Reads of the recipients register, the disclosure log and the breach register."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, Prefetch
from django.utils import timezone

from incasso.disclosures.breaches import breach_clock
from incasso.disclosures.models import (
    AGREEMENT_SAFEGUARDS,
    Agreement,
    Breach,
    BreachStatus,
    Disclosure,
    Recipient,
)
from incasso.disclosures.services import SubjectInput, recipients_transfer_verdicts, subject_ref_of
from incasso.domain.audit_chain import JSONValue


@dataclass(frozen=True, slots=True)
class DisclosureRecord:
    """One disclosure as the access export (art. 15(1)(c)) and the register show it."""

    occurred_at: datetime.datetime
    recipient: str
    recipient_category: str
    country: str
    categories: tuple[str, ...]
    legal_basis: str
    purpose: str
    description: str
    case_id: int | None


@dataclass(frozen=True, slots=True)
class RecipientOverview:
    """One recipient for the register of processing: who, where, under which agreement, may data go there."""

    name: str
    category: str
    country: str
    agreements: tuple[str, ...]
    safeguards: tuple[str, ...]
    transfer_allowed: bool
    transfer_reason: str
    disclosures: int
    last_disclosed_at: datetime.datetime | None


def disclosures_for_subject(subject: SubjectInput) -> list[DisclosureRecord]:
    """Every disclosure about one data subject, newest first."""
    ref = subject_ref_of(subject)
    rows = (
        Disclosure.objects.filter(subjects__subject_type=ref.model, subjects__subject_id=ref.pk)
        .select_related("recipient")
        .order_by("-occurred_at", "-pk")
    )
    return [
        DisclosureRecord(
            occurred_at=row.occurred_at,
            recipient=row.recipient.name,
            recipient_category=row.recipient.category,
            country=row.recipient.country,
            categories=tuple(row.categories),
            legal_basis=row.legal_basis,
            purpose=row.purpose,
            description=row.description,
            case_id=row.case_id,
        )
        for row in rows
    ]


def recipients_overview(*, day: datetime.date | None = None) -> list[RecipientOverview]:
    """The actual recipients, their agreements in force on ``day`` (today) and how often data went to each."""
    day = day or timezone.localdate()
    recipients = list(
        Recipient.objects.filter(active=True)
        .annotate(disclosure_count=Count("disclosures"), last_disclosed_at=Max("disclosures__occurred_at"))
        .prefetch_related(Prefetch("agreements", queryset=Agreement.objects.order_by("kind", "signed_on")))
        .order_by("category", "name")
    )
    verdicts = recipients_transfer_verdicts(recipients=recipients, day=day)
    overview = []
    for recipient in recipients:
        in_force = [a for a in recipient.agreements.all() if a.in_force_on(day)]
        overview.append(
            RecipientOverview(
                name=recipient.name,
                category=recipient.category,
                country=recipient.country,
                agreements=tuple(sorted({a.kind for a in in_force})),
                safeguards=tuple(
                    sorted({AGREEMENT_SAFEGUARDS[a.kind].value for a in in_force if a.kind in AGREEMENT_SAFEGUARDS})
                ),
                transfer_allowed=verdicts[recipient.pk].allowed,
                transfer_reason=verdicts[recipient.pk].reason,
                disclosures=recipient.disclosure_count,
                last_disclosed_at=recipient.last_disclosed_at,
            )
        )
    return overview


def breaches_status(*, now: datetime.datetime) -> list[dict[str, JSONValue]]:
    """The open breaches with their 72-hour clocks, oldest awareness first (``incasso breach status``)."""
    breaches = Breach.objects.filter(status=BreachStatus.OPEN).annotate(
        clients=Count("affected_clients", distinct=True), notified=Count("notifications", distinct=True)
    )
    status: list[dict[str, JSONValue]] = []
    for breach in breaches.order_by("became_aware_at", "pk"):
        clock = breach_clock(breach, now)
        status.append(
            {
                "reference": breach.reference,
                "risk": breach.risk,
                "became_aware_at": breach.became_aware_at.isoformat(),
                "deadline": clock.deadline.isoformat(),
                "remaining_seconds": int(clock.remaining.total_seconds()),
                "required": clock.required,
                "warning": clock.warning,
                "overdue": clock.overdue,
                "authority_notified_at": clock.notified_at.isoformat() if clock.notified_at else None,
                "controllers_notified": breach.notified,
                "controllers_affected": breach.clients,
            }
        )
    return status
