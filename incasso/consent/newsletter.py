"""The newsletter: double opt-in, one-click unsubscribe that erases at once, sending only to who may receive it.

Subscribing stores an unconfirmed subscriber and e-mails a signed link that expires; nothing else is ever sent to
an unconfirmed address, and an address on the suppression list gets no e-mail at all (not even the link, so
nobody can sign someone else up again after they objected). Every newsletter carries an unsubscribe link and the
List-Unsubscribe / List-Unsubscribe-Post headers (RFC 2369, RFC 8058).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.consent.identity import ConsentSubject, email_hash, normalise_email
from incasso.consent.mailing import BATCH_SIZE, messages_send, public_url
from incasso.consent.models import (
    ConsentMethod,
    ConsentPurpose,
    NewsletterIssue,
    SubjectKind,
    Subscriber,
    SuppressionReason,
)
from incasso.consent.selectors import marketing_allowed, subscribers_with_email, suppressed_among
from incasso.consent.services import (
    ACTOR,
    consent_record_build,
    consent_records_write,
    consent_text_shown,
    subscriber_erase,
)
from incasso.domain.data_map import ProcessingPurpose

CONFIRM_SALT = "incasso.consent.newsletter.confirm"
UNSUBSCRIBE_SALT = "incasso.consent.newsletter.unsubscribe"
CONFIRM_MAX_AGE = timedelta(days=3)


class InvalidLink(ValueError):
    """A confirmation or unsubscribe link that was altered, expired or is about nobody (any more)."""


def _token(subscriber: Subscriber, salt: str) -> str:
    # The address's hash ties the link to this subscriber: a reused primary key cannot be confirmed or removed.
    return signing.dumps({"id": subscriber.pk, "h": email_hash(subscriber.email)[:16]}, salt=salt, compress=True)


def _subscriber(token: str, salt: str, max_age: timedelta | None) -> Subscriber:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidLink("the link has expired") from None
    except signing.BadSignature:
        raise InvalidLink("the link is not valid") from None
    subscriber = Subscriber.objects.filter(pk=data.get("id")).first()
    if subscriber is None or email_hash(subscriber.email)[:16] != data.get("h"):
        raise InvalidLink("no subscription for this link")
    return subscriber


def confirm_url(subscriber: Subscriber) -> str:
    return public_url(f"/newsletter/confirm/{_token(subscriber, CONFIRM_SALT)}/")


def unsubscribe_url(subscriber: Subscriber) -> str:
    return public_url(f"/newsletter/unsubscribe/{_token(subscriber, UNSUBSCRIBE_SALT)}/")


def _confirmation_message(subscriber: Subscriber) -> EmailMessage:
    with override(subscriber.language):
        body = _(
            "You (or someone using your address) asked to receive the newsletter of %(agency)s.\n\n"
            "Confirm within 3 days by opening this link:\n%(url)s\n\n"
            "Did not ask for it? Then ignore this e-mail: without confirmation you will receive nothing and your "
            "address is deleted."
        ) % {"agency": settings.INCASSO_AGENCY_NAME, "url": confirm_url(subscriber)}
        subject = _("Confirm your newsletter subscription")
    return EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[subscriber.email])


@dataclass(frozen=True, slots=True)
class SubscribeOutcome:
    mailed: bool  # a confirmation link went out (never said to the visitor: it would reveal who is suppressed)


def subscriber_subscribe(*, email: str, language: str, where: str, shown: int | None = None) -> SubscribeOutcome:
    """Store an unconfirmed subscription and e-mail the confirmation link (after the commit).

    ``shown`` is the newsletter consent text the form showed (default: the one in force); the confirmation
    records consent to exactly that version.
    """
    address = normalise_email(email)
    if "@" not in address or len(address) > 254:
        raise ValueError("not an e-mail address")
    if language not in ("nl", "en"):
        raise ValueError("language is nl or en")
    version = consent_text_shown(purpose=ConsentPurpose.NEWSLETTER, shown=shown)
    if not marketing_allowed(email=address):
        return SubscribeOutcome(mailed=False)
    with transaction.atomic():
        subscriber = subscribers_with_email(email=address).select_for_update().first()
        created = subscriber is None
        if subscriber is None:
            subscriber = Subscriber.objects.create(email=address, language=language, consent_version=version)
        if subscriber.confirmed_at is not None:
            return SubscribeOutcome(mailed=False)  # already subscribed: nothing to do, nothing said
        if not created:  # asked again: the latest form shown is the one that counts
            subscriber.language, subscriber.consent_version = language, version
            subscriber.save(update_fields=["language", "consent_version"])
        audit_record(
            actor=ACTOR,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            subject=subscriber,
            fields=["email", "language"],
            purpose=ProcessingPurpose.NEWSLETTER,
            source="consent.subscriber_subscribe",
            details={"where": where[:200]},
        )
        message = _confirmation_message(subscriber)
        transaction.on_commit(lambda: messages_send([message]))
    return SubscribeOutcome(mailed=True)


def subscriber_confirm(*, token: str, where: str) -> Subscriber:
    """Follow the e-mailed link: the subscription starts, recorded as consent given by e-mail link."""
    subscriber = _subscriber(token, CONFIRM_SALT, CONFIRM_MAX_AGE)
    with transaction.atomic():
        locked = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if locked.confirmed_at is not None:
            return locked
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["confirmed_at"])
        consent_records_write(
            [
                consent_record_build(
                    subject=ConsentSubject(SubjectKind.SUBSCRIBER, str(locked.pk)),
                    purpose=ConsentPurpose.NEWSLETTER,
                    given=True,
                    where=where,
                    method=ConsentMethod.EMAIL_LINK,
                    language=locked.language,
                    now=locked.confirmed_at,
                    shown=locked.consent_version_id,
                )
            ]
        )
    return locked


def subscriber_unsubscribe(*, token: str) -> None:
    """One click: the subscriber and their consent records are deleted at once; a suppression entry remains."""
    subscriber = _subscriber(token, UNSUBSCRIBE_SALT, None)
    with transaction.atomic():
        subscriber_erase(subscriber, reason=SuppressionReason.UNSUBSCRIBED)


def subscribers_unconfirmed_purge(*, now: datetime | None = None) -> int:
    """Delete subscriptions never confirmed before their link expired (nobody consented: nothing is kept)."""
    cutoff = (now or timezone.now()) - CONFIRM_MAX_AGE
    with transaction.atomic():
        stale = Subscriber.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff)
        count = stale.count()
        if count:
            stale.delete()
            audit_record(
                actor=ACTOR,
                action=AuditAction.DELETE,
                subject=None,
                fields=["email", "language"],
                purpose=ProcessingPurpose.NEWSLETTER,
                source="consent.subscribers_unconfirmed_purge",
                details={"deleted": count},
            )
    return count


def _newsletter_message(issue: NewsletterIssue, subscriber: Subscriber) -> EmailMessage:
    url = unsubscribe_url(subscriber)
    with override(subscriber.language):
        footer = _("You receive this newsletter because you subscribed. Unsubscribe with one click: %(url)s") % {
            "url": url
        }
    return EmailMessage(
        subject=issue.subject,
        body=f"{issue.body.rstrip()}\n\n-- \n{footer}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
        headers={"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def newsletter_send(*, subject: str, body: str, batch_size: int = BATCH_SIZE) -> NewsletterIssue:
    """Send a newsletter to every confirmed subscriber not on the suppression list, in batches.

    The issue is recorded first; its counts are updated after each batch, so an interrupted run shows how far
    it got.
    """
    if not subject.strip() or not body.strip():
        raise ValueError("a newsletter needs a subject and a text")
    if batch_size < 1:
        raise ValueError("the batch size is at least 1")
    with transaction.atomic():
        issue = NewsletterIssue.objects.create(subject=subject.strip(), body=body)
        audit_record(
            actor=ACTOR,
            action=AuditAction.CREATE,
            subject=None,
            fields=["subject", "body"],
            purpose=ProcessingPurpose.NEWSLETTER,
            source="consent.newsletter_send",
            details={"issue": issue.pk},
        )
    last = 0
    while chunk := list(Subscriber.objects.filter(confirmed_at__isnull=False, pk__gt=last).order_by("pk")[:batch_size]):
        last = chunk[-1].pk
        suppressed = suppressed_among([s.email for s in chunk])  # belt and braces: suppression erases them too
        batch = [_newsletter_message(issue, s) for s in chunk if s.email not in suppressed]
        if not batch:
            continue
        messages_send(batch)
        NewsletterIssue.objects.filter(pk=issue.pk).update(
            recipients=issue.recipients + len(batch), batches=issue.batches + 1
        )
        issue.recipients += len(batch)
        issue.batches += 1
    return issue
