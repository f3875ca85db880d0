"""Writes: document versions (drafted, edited while drafts, published once), consent given and withdrawn.

Each service is one transaction that writes its audit event. E-mail is sent only after the commit, so a rolled
back publication announces nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.consent.identity import ConsentSubject, email_hash
from incasso.consent.mailing import BATCH_SIZE, messages_send, public_url
from incasso.consent.models import (
    ConsentMethod,
    ConsentPurpose,
    ConsentRecord,
    DocumentKind,
    DocumentVersion,
    StatementMailing,
    SubjectKind,
    Subscriber,
    Suppression,
    SuppressionReason,
)
from incasso.consent.selectors import document_current, subscribers_with_email
from incasso.domain.data_map import ProcessingPurpose
from incasso.parties.models import ClientContact

ACTOR = "consent"
TEXT_FIELDS = ("title_nl", "title_en", "body_nl", "body_en")
# The register purpose each consent serves: cookies and newsletter are marketing; a debtor's explicit consent
# (special categories, P-6) belongs to the collection.
REGISTER_PURPOSE = {
    SubjectKind.DEBTOR: ProcessingPurpose.DEBT_COLLECTION,
    SubjectKind.CLIENT_CONTACT: ProcessingPurpose.MARKETING,
    SubjectKind.SUBSCRIBER: ProcessingPurpose.NEWSLETTER,
    SubjectKind.VISITOR: ProcessingPurpose.MARKETING,
}


class PublishedVersionError(ValueError):
    """A published version is immutable: make a new version instead."""


class NoDocumentError(ValueError):
    """No published document for the purpose: consent cannot be recorded without the text the person saw."""


def _validate(kind: str, purpose: str, texts: dict[str, str]) -> None:
    if kind not in DocumentKind.values:
        raise ValueError(f"unknown document kind {kind!r}")
    if kind == DocumentKind.PRIVACY_STATEMENT and purpose:
        raise ValueError("a privacy statement has no consent purpose")
    if kind == DocumentKind.CONSENT_TEXT and purpose not in ConsentPurpose.values:
        raise ValueError(f"a consent text needs a purpose, one of {', '.join(ConsentPurpose.values)}")
    empty = [name for name in TEXT_FIELDS if not texts[name].strip()]
    if empty:
        raise ValueError(f"empty: {', '.join(empty)} (a document is published in Dutch and English)")


def document_version_create(
    *, kind: str, purpose: str = "", title_nl: str, title_en: str, body_nl: str, body_en: str
) -> DocumentVersion:
    """A new draft, numbered after the newest version of the same document."""
    texts = {"title_nl": title_nl, "title_en": title_en, "body_nl": body_nl, "body_en": body_en}
    _validate(kind, purpose, texts)
    with transaction.atomic():
        last = DocumentVersion.objects.filter(kind=kind, purpose=purpose).aggregate(n=Max("number"))["n"] or 0
        version = DocumentVersion.objects.create(kind=kind, purpose=purpose, number=last + 1, **texts)
        audit_record(
            actor=ACTOR,
            action=AuditAction.CREATE,
            subject=None,
            fields=list(TEXT_FIELDS),
            purpose=ProcessingPurpose.SECURITY,
            source="consent.document_version_create",
            details={"version": version.pk, "kind": kind, "purpose": purpose, "number": version.number},
        )
    return version


def document_version_update(*, version: DocumentVersion, **texts: str) -> DocumentVersion:
    """Change a draft's texts. A published version is refused, checked under a row lock."""
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        raise ValueError(f"not a text of a document: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        if locked.published_at is not None:
            raise PublishedVersionError(f"{locked} was published on {locked.published_at:%Y-%m-%d}: it cannot change")
        merged = {name: texts.get(name, getattr(locked, name)) for name in TEXT_FIELDS}
        _validate(locked.kind, locked.purpose, merged)
        for name, value in merged.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(TEXT_FIELDS))
        audit_record(
            actor=ACTOR,
            action=AuditAction.UPDATE,
            subject=None,
            fields=sorted(texts),
            purpose=ProcessingPurpose.SECURITY,
            source="consent.document_version_update",
            details={"version": locked.pk},
        )
    return locked


def document_version_publish(*, version: DocumentVersion, now: datetime | None = None) -> DocumentVersion:
    """Publish a draft; it is then the current version. A privacy statement is announced to every client contact.

    The announcement is queued as batches (``StatementMailing``) in this transaction and sent after the commit;
    a batch that fails stays unsent and ``statement_mailings_send`` sends it again.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        if locked.published_at is not None:
            raise PublishedVersionError(f"{locked} is already published")
        locked.published_at = now
        locked.save(update_fields=["published_at"])
        batches = 0
        if locked.kind == DocumentKind.PRIVACY_STATEMENT:
            batches = _mailings_queue(locked)
            transaction.on_commit(lambda: statement_mailings_send(version=locked))
        audit_record(
            actor=ACTOR,
            action=AuditAction.UPDATE,
            subject=None,
            fields=["published_at"],
            purpose=ProcessingPurpose.SECURITY,
            source="consent.document_version_publish",
            details={"version": locked.pk, "mailing_batches": batches},
        )
    return locked


def _contacts() -> list[int]:
    return list(ClientContact.objects.exclude(email="").order_by("pk").values_list("pk", flat=True))


def _mailings_queue(version: DocumentVersion) -> int:
    ids = _contacts()
    rows = [
        StatementMailing(
            version=version,
            batch=number,
            first_contact_id=chunk[0],
            last_contact_id=chunk[-1],
            recipients=len(chunk),
        )
        for number, chunk in enumerate((ids[i : i + BATCH_SIZE] for i in range(0, len(ids), BATCH_SIZE)), start=1)
    ]
    StatementMailing.objects.bulk_create(rows)
    return len(rows)


STATEMENT_SUBJECT = "Nieuwe privacyverklaring / New privacy statement"
STATEMENT_BODY = (
    "Beste {name},\n\n"
    "Wij hebben onze privacyverklaring bijgewerkt (versie {number}, geldig vanaf {date}). "
    "U leest de nieuwe versie op {url}\n\n"
    "---\n\n"
    "Dear {name},\n\n"
    "We have updated our privacy statement (version {number}, in force from {date}). "
    "You can read the new version at {url_en}\n"
)


def _statement_message(version: DocumentVersion, contact: ClientContact) -> EmailMessage:
    url = public_url(f"/privacy-statement/{version.number}/")
    body = STATEMENT_BODY.format(
        name=contact.name,
        number=version.number,
        date=f"{version.published_at:%d-%m-%Y}" if version.published_at else "",
        url=url,
        url_en=f"{url}?lang=en",
    )
    return EmailMessage(
        subject=f"{STATEMENT_SUBJECT} ({settings.INCASSO_AGENCY_NAME})",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[contact.email_address],
    )


def statement_mailings_send(*, version: DocumentVersion) -> int:
    """Send every batch of the announcement not yet sent; returns how many e-mails went. Safe to run again.

    Each batch is claimed with a compare-and-set on ``sent_at`` so that two runs never send one batch twice;
    a batch whose sending fails is released with the error recorded.
    """
    sent = 0
    for mailing in StatementMailing.objects.filter(version=version, sent_at__isnull=True).order_by("batch"):
        now = timezone.now()
        if not StatementMailing.objects.filter(pk=mailing.pk, sent_at__isnull=True).update(sent_at=now, error=""):
            continue
        contacts = ClientContact.objects.filter(
            pk__gte=mailing.first_contact_id, pk__lte=mailing.last_contact_id
        ).exclude(email="")
        try:
            # An erased contact (its key destroyed) has no address left to write to.
            reachable = [contact for contact in contacts.order_by("pk") if contact.email_address]
            sent += messages_send([_statement_message(version, contact) for contact in reachable])
        except Exception as exc:
            StatementMailing.objects.filter(pk=mailing.pk).update(sent_at=None, error=str(exc)[:500])
            raise
    return sent


def consent_text_shown(*, purpose: str, shown: int | None = None) -> DocumentVersion:
    """The consent text a person saw: the version the page showed (its id), or the one in force."""
    if shown is None:
        version = document_current(kind=DocumentKind.CONSENT_TEXT, purpose=purpose)
        if version is None:
            raise NoDocumentError(f"no published consent text for {purpose}")
        return version
    found = DocumentVersion.objects.filter(
        pk=shown, kind=DocumentKind.CONSENT_TEXT, purpose=purpose, published_at__isnull=False
    ).first()
    if found is None:
        raise ValueError(f"version {shown} is not a published consent text for {purpose}")
    return found


def consent_record_build(
    *,
    subject: ConsentSubject,
    purpose: str,
    given: bool,
    where: str,
    method: str,
    language: str,
    now: datetime,
    shown: int | None = None,
) -> ConsentRecord:
    if purpose not in ConsentPurpose.values:
        raise ValueError(f"unknown consent purpose {purpose!r}")
    if method not in ConsentMethod.values:
        raise ValueError(f"unknown consent method {method!r}")
    if not where or len(where) > 200:
        raise ValueError("say where the consent was given: a page or channel, 1 to 200 characters")
    if language not in ("nl", "en"):
        raise ValueError("the language shown is nl or en")
    version = consent_text_shown(purpose=purpose, shown=shown)
    return ConsentRecord(
        subject_kind=subject.kind,
        subject_ref=subject.ref,
        purpose=purpose,
        version=version,
        language=language,
        given=given,
        recorded_at=now,
        where=where,
        method=method,
    )


def consent_records_write(records: list[ConsentRecord]) -> list[ConsentRecord]:
    """Store consent records and their audit events in the caller's transaction."""
    created = ConsentRecord.objects.bulk_create(records)
    for record in created:
        audit_record(
            actor=ACTOR,
            action=AuditAction.CREATE,
            subject=record,
            fields=["purpose", "version", "given", "where", "method"],
            purpose=REGISTER_PURPOSE[SubjectKind(record.subject_kind)],
            source=f"consent.{'give' if record.given else 'withdraw'}",
            details={"purpose": record.purpose, "given": record.given, "version": record.version_id},
        )
    return created


def _consent_answer(
    *,
    given: bool,
    subject: ConsentSubject,
    purpose: str,
    where: str,
    method: str,
    language: str,
    shown: int | None,
    now: datetime | None,
) -> ConsentRecord:
    record = consent_record_build(
        subject=subject,
        purpose=purpose,
        given=given,
        where=where,
        method=method,
        language=language,
        now=now or timezone.now(),
        shown=shown,
    )
    with transaction.atomic():
        return consent_records_write([record])[0]


def consent_give(
    *,
    subject: ConsentSubject,
    purpose: str,
    where: str,
    method: str,
    language: str,
    shown: int | None = None,
    now: datetime | None = None,
) -> ConsentRecord:
    """Record that ``subject`` consented to ``purpose`` after seeing a consent text in ``language``.

    ``shown`` is the id of the version the page showed; without it, the version in force is taken.
    """
    return _consent_answer(
        given=True,
        subject=subject,
        purpose=purpose,
        where=where,
        method=method,
        language=language,
        shown=shown,
        now=now,
    )


def consent_withdraw(
    *,
    subject: ConsentSubject,
    purpose: str,
    where: str,
    method: str,
    language: str,
    shown: int | None = None,
    now: datetime | None = None,
) -> ConsentRecord:
    """Record a withdrawal (or refusal): the same single call as giving, from the same place."""
    return _consent_answer(
        given=False,
        subject=subject,
        purpose=purpose,
        where=where,
        method=method,
        language=language,
        shown=shown,
        now=now,
    )


def cookie_choice_record(
    *,
    visitor_id: str,
    choices: dict[str, bool],
    where: str,
    method: str,
    language: str,
    shown: dict[str, int] | None = None,
) -> list[ConsentRecord]:
    """The cookie banner's answer: one record per optional cookie purpose, given or refused, in one transaction."""
    subject = ConsentSubject(SubjectKind.VISITOR, visitor_id)
    now = timezone.now()
    shown = shown or {}
    records = [
        consent_record_build(
            subject=subject,
            purpose=purpose,
            given=given,
            where=where,
            method=method,
            language=language,
            now=now,
            shown=shown.get(purpose),
        )
        for purpose, given in sorted(choices.items())
    ]
    with transaction.atomic():
        return consent_records_write(records)


def subscriber_erase(subscriber: Subscriber, *, reason: str) -> None:
    """Delete a subscriber and every consent record about them at once, keeping only a suppression entry.

    Runs in the caller's transaction. The audit event names no address: only that a subscriber was erased.
    """
    key = email_hash(subscriber.email)
    records = ConsentRecord.objects.filter(subject_kind=SubjectKind.SUBSCRIBER, subject_ref=str(subscriber.pk))
    removed_records, _ = records.delete()
    Suppression.objects.get_or_create(email_hash=key, defaults={"reason": reason})
    audit_record(
        actor=ACTOR,
        action=AuditAction.DELETE,
        subject=subscriber,
        fields=["email", "language", "confirmed_at"],
        purpose=ProcessingPurpose.NEWSLETTER,
        source="consent.subscriber_erase",
        details={"reason": reason, "consent_records": removed_records},
    )
    subscriber.delete()


def suppression_add(*, email: str, reason: str) -> Suppression:
    """Keep ``email`` out of all marketing from now on (an objection to direct marketing, art. 21(2)-(3)).

    A newsletter subscription of that address is erased at once. Adding an address twice keeps the first entry.
    """
    if reason not in SuppressionReason.values:
        raise ValueError(f"unknown suppression reason {reason!r}: one of {', '.join(SuppressionReason.values)}")
    if "@" not in email:
        raise ValueError("not an e-mail address")
    with transaction.atomic():
        subscriber = subscribers_with_email(email=email).first()
        if subscriber is not None:
            subscriber_erase(subscriber, reason=reason)
        suppression, created = Suppression.objects.get_or_create(
            email_hash=email_hash(email), defaults={"reason": reason}
        )
        audit_record(
            actor=ACTOR,
            action=AuditAction.CREATE if created else AuditAction.READ,
            subject=suppression,
            fields=["email_hash", "reason"],
            purpose=ProcessingPurpose.MARKETING,
            source="consent.suppression_add",
            details={"reason": reason, "new": created},
        )
    return suppression
