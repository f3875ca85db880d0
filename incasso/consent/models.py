"""Versioned documents (privacy statements, consent texts), consent records, newsletter subscribers, suppression.

A published document version never changes (``services.document_version_update`` refuses); a consent record
points at the exact version the person saw. Newsletter subscribers are deleted at once when they unsubscribe; what
stays is a suppression entry holding a keyed hash of the address, never the address itself (SPEC P-2, P-5, P-11).
"""

from __future__ import annotations

from django.core.validators import validate_email
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.crypto.fields import BlindIndexField, EncryptedModel, EncryptedTextField

# The blind-index purpose of a subscriber's address (its own key, derived from INCASSO_BLIND_INDEX_KEY).
SUBSCRIBER_EMAIL_INDEX = "consent.subscriber.email"


class DocumentKind(models.TextChoices):
    PRIVACY_STATEMENT = "privacy_statement", _("Privacy statement")
    CONSENT_TEXT = "consent_text", _("Consent text")


class ConsentPurpose(models.TextChoices):
    """What a person can consent to. Strictly necessary cookies need no consent and are not a purpose here."""

    ANALYTICS_COOKIES = "analytics_cookies", _("Analytics cookies")
    MARKETING_COOKIES = "marketing_cookies", _("Marketing cookies")
    NEWSLETTER = "newsletter", _("Newsletter")


class SubjectKind(models.TextChoices):
    DEBTOR = "debtor", _("Debtor")
    CLIENT_CONTACT = "client_contact", _("Client contact")
    SUBSCRIBER = "subscriber", _("Newsletter subscriber")
    VISITOR = "visitor", _("Website visitor (cookie id)")


class ConsentMethod(models.TextChoices):
    CHECKBOX = "checkbox", _("Checkbox")
    BUTTON = "button", _("Button")
    EMAIL_LINK = "email_link", _("Link in an e-mail")
    STAFF = "staff", _("Entered by staff")


class DocumentVersion(models.Model):
    """One version of a document in Dutch and English. Drafts may change; published versions never do."""

    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    # Empty for a privacy statement; the consent purpose for a consent text.
    purpose = models.CharField(_("purpose"), max_length=32, choices=ConsentPurpose.choices, blank=True)
    number = models.PositiveIntegerField(_("version"))
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_nl = models.TextField(_("text (Dutch)"))
    body_en = models.TextField(_("text (English)"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["kind", "purpose", "number"], name="consent_document_version_unique"),
            models.CheckConstraint(
                condition=(models.Q(kind="privacy_statement", purpose="") | ~models.Q(kind="privacy_statement"))
                & (~models.Q(purpose="") | ~models.Q(kind="consent_text")),
                name="consent_document_purpose_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}{':' + self.purpose if self.purpose else ''} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def title(self, language: str) -> str:
        return self.title_nl if language == "nl" else self.title_en

    def body(self, language: str) -> str:
        return self.body_nl if language == "nl" else self.body_en


class StatementMailing(models.Model):
    """One batch of the e-mail announcing a new privacy-statement version to the clients' contacts (P-11)."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="mailings")
    batch = models.PositiveIntegerField(_("batch"))
    # The batch is the contacts with an e-mail address whose ids lie in this range (ids only grow).
    first_contact_id = models.PositiveBigIntegerField(_("first contact id"))
    last_contact_id = models.PositiveBigIntegerField(_("last contact id"))
    recipients = models.PositiveIntegerField(_("recipients"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)  # None: queued, not (yet) sent
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("privacy statement mailing")
        verbose_name_plural = _("privacy statement mailings")
        constraints = [models.UniqueConstraint(fields=["version", "batch"], name="consent_mailing_batch_unique")]

    def __str__(self) -> str:
        return f"{self.version} batch {self.batch}"


class ConsentRecord(models.Model):
    """A consent given or withdrawn: who, to what, the exact text shown, when, where and how. Append-only."""

    subject_kind = models.CharField(_("subject kind"), max_length=32, choices=SubjectKind.choices)
    subject_ref = models.CharField(_("subject reference"), max_length=64)  # a pk, or the visitor's random id
    purpose = models.CharField(_("purpose"), max_length=32, choices=ConsentPurpose.choices)
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="consent_records")
    language = models.CharField(_("language shown"), max_length=8)
    given = models.BooleanField(_("given"))  # False: withdrawn or refused
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    where = models.CharField(_("where"), max_length=200)  # page path or channel
    method = models.CharField(_("how"), max_length=32, choices=ConsentMethod.choices)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        indexes = [models.Index(fields=["subject_kind", "subject_ref", "purpose", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.subject_kind}:{self.subject_ref} {self.purpose} {'given' if self.given else 'withdrawn'}"


class Subscriber(EncryptedModel):
    """A newsletter subscriber. Unconfirmed until the e-mailed link is followed; deleted on unsubscribing.

    The address is sealed under the subscriber's own data key (P-3) and found through its blind index
    (``identity.subscriber_email_index``), which also keeps one subscription per address.
    """

    email = EncryptedTextField(_("e-mail address"), max_length=254, validators=[validate_email])
    email_index = BlindIndexField(purpose=SUBSCRIBER_EMAIL_INDEX, sources=("email",), normaliser="email", unique=True)
    language = models.CharField(_("language"), max_length=8, default="nl")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The newsletter consent text the subscription form showed: the confirmation records consent to exactly it.
    consent_version = models.ForeignKey(
        DocumentVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("consent text shown")
    )
    # Declared after the encrypted field: saving a subscriber without a key issues one before this column is written.
    data_key = models.OneToOneField(
        "crypto.DataKey", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        verbose_name = _("newsletter subscriber")
        verbose_name_plural = _("newsletter subscribers")

    def __str__(self) -> str:
        return f"subscriber {self.pk}"


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed from the newsletter")
    OBJECTION = "objection", _("Objected to direct marketing")
    STAFF = "staff", _("Entered by staff on request")


class Suppression(models.Model):
    """Someone who must not receive marketing: a keyed hash of the address (the address itself is not kept)."""

    email_hash = models.CharField(_("e-mail hash"), max_length=64, unique=True)
    reason = models.CharField(_("reason"), max_length=32, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("marketing suppression")
        verbose_name_plural = _("marketing suppressions")

    def __str__(self) -> str:
        return f"suppression {self.email_hash[:12]}"


class NewsletterIssue(models.Model):
    """One newsletter as sent: subject, body and how many confirmed, non-suppressed subscribers received it."""

    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    batches = models.PositiveIntegerField(_("batches"), default=0)

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")

    def __str__(self) -> str:
        return self.subject
