"""Reads: the current document versions, a subject's current consent, whether marketing may reach an address."""

from __future__ import annotations

from django.db.models import QuerySet

from incasso.consent.identity import ConsentSubject, email_hash, subscriber_email_index
from incasso.consent.models import (
    ConsentPurpose,
    ConsentRecord,
    DocumentKind,
    DocumentVersion,
    Subscriber,
    Suppression,
)

COOKIE_PURPOSES = (ConsentPurpose.ANALYTICS_COOKIES, ConsentPurpose.MARKETING_COOKIES)


def document_current(*, kind: str, purpose: str = "") -> DocumentVersion | None:
    """The newest published version of a document, or None when none is published."""
    return (
        DocumentVersion.objects.filter(kind=kind, purpose=purpose, published_at__isnull=False)
        .order_by("-number")
        .first()
    )


def document_version(*, kind: str, number: int, purpose: str = "") -> DocumentVersion | None:
    """A published version by number (drafts are never shown to the public)."""
    return DocumentVersion.objects.filter(kind=kind, purpose=purpose, number=number, published_at__isnull=False).first()


def privacy_statement_versions() -> QuerySet[DocumentVersion]:
    return DocumentVersion.objects.filter(kind=DocumentKind.PRIVACY_STATEMENT, published_at__isnull=False).order_by(
        "-number"
    )


def consent_current(subject: ConsentSubject, purpose: str) -> ConsentRecord | None:
    """The subject's latest record for ``purpose`` (given or withdrawn), or None when it never answered."""
    return (
        ConsentRecord.objects.filter(subject_kind=subject.kind, subject_ref=subject.ref, purpose=purpose)
        .select_related("version")
        .order_by("-recorded_at", "-pk")
        .first()
    )


def consent_given(subject: ConsentSubject, purpose: str) -> bool:
    record = consent_current(subject, purpose)
    return record is not None and record.given


def cookie_choices(visitor_id: str | None) -> dict[str, ConsentRecord]:
    """The visitor's latest answer per cookie purpose, in one query; empty for a visitor without an id."""
    if not visitor_id:
        return {}
    latest: dict[str, ConsentRecord] = {}
    records = ConsentRecord.objects.filter(
        subject_kind="visitor", subject_ref=visitor_id, purpose__in=COOKIE_PURPOSES
    ).order_by("recorded_at", "pk")
    for record in records:
        latest[record.purpose] = record
    return latest


def suppressed_among(emails: list[str]) -> set[str]:
    """Which of ``emails`` are on the suppression list, in one query."""
    hashes = {email_hash(email): email for email in emails}
    found = Suppression.objects.filter(email_hash__in=list(hashes)).values_list("email_hash", flat=True)
    return {hashes[h] for h in found}


def marketing_allowed(*, email: str) -> bool:
    """False for anyone on the suppression list (objected to direct marketing, or unsubscribed)."""
    return not Suppression.objects.filter(email_hash=email_hash(email)).exists()


def subscribers_with_email(*, email: str) -> QuerySet[Subscriber]:
    """The subscription of an address (at most one), found through the blind index: the column itself is sealed."""
    return Subscriber.objects.filter(email_index=subscriber_email_index(email))
