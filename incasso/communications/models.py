"""Letters, their templates and print batches, portal log-in codes, and the contact log of a case (C-8, C-11).

The case file must show exactly what was sent, when and why (Wki, LEGAL.md §8): a letter keeps the template
version it was rendered with and the values it printed, so it can be reproduced years later even after the
template and the case have moved on.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.cases.models import Case
from incasso.communications.sealing import PrintedValuesField
from incasso.crypto.fields import EncryptedModel


class LetterKind(models.TextChoices):
    # The values of the letter measures (cases.MeasureKind), so the daily run passes a measure kind straight in.
    REMINDER = "reminder_letter", _("Reminder")
    FOURTEEN_DAY_LETTER = "fourteen_day_letter", _("14-day letter")
    DEMAND_LETTER = "demand_letter", _("Demand letter")
    ARRANGEMENT_CONFIRMATION = "arrangement_confirmation", _("Payment arrangement confirmation")
    LEGAL_NOTICE = "legal_notice", _("Notice of legal steps")


class LetterLanguage(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


class LetterTemplate(models.Model):
    """One version of the Typst source of a letter kind in one language.

    Versions are never edited once used: an administrator adds a new version and activates it, and letters keep
    pointing at the version they were rendered with. Exactly one version per kind and language is active.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=LetterKind.choices)
    language = models.CharField(_("language"), max_length=2, choices=LetterLanguage.choices)
    version = models.PositiveIntegerField(_("version"))
    source = models.TextField(_("Typst source"))
    active = models.BooleanField(_("active"), default=False)
    notes = models.CharField(_("what changed"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        ordering = ["kind", "language", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "language", "version"], name="letter_template_version_unique"),
            models.UniqueConstraint(
                fields=["kind", "language"], condition=Q(active=True), name="letter_template_one_active"
            ),
            models.CheckConstraint(condition=Q(kind__in=LetterKind.values), name="letter_template_kind_valid"),
            models.CheckConstraint(
                condition=Q(language__in=LetterLanguage.values), name="letter_template_language_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}.{self.language} v{self.version}"


class PrintBatch(models.Model):
    """One night's letters for the print house: one PDF and a CSV manifest, with their checksums."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    for_date = models.DateField(_("posting date"))
    letter_count = models.PositiveIntegerField(_("letters"), default=0)
    # Relative to settings.INCASSO_MEDIA_DIR, so the directory can move without rewriting rows.
    pdf_path = models.CharField(_("PDF file"), max_length=255, blank=True)
    manifest_path = models.CharField(_("manifest file"), max_length=255, blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    manifest_sha256 = models.CharField(_("manifest SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.for_date} ({self.letter_count})"


class LetterChannel(models.TextChoices):
    POST = "post", _("Post")
    EMAIL = "email", _("E-mail")


class LetterStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERED = "rendered", _("Rendered")  # in a print batch, handed to the print house
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    RETURNED = "returned", _("Returned")  # the print house reported it undeliverable: the address needs checking


class Letter(EncryptedModel):
    """A letter to the debtor of a case: queued, then rendered (into a print batch) or e-mailed.

    The addressee's name and address in the printed values are sealed under the debtor's data key (``sealing``).
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="letters", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=30, choices=LetterKind.choices)
    language = models.CharField(_("language"), max_length=2, choices=LetterLanguage.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=LetterChannel.choices, default=LetterChannel.POST)
    # The exact template version used; set when the letter is rendered, so a template fixed in the meantime counts.
    template = models.ForeignKey(
        LetterTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    status = models.CharField(_("status"), max_length=10, choices=LetterStatus.choices, default=LetterStatus.QUEUED)
    planned_for = models.DateField(_("planned for"))
    rf_reference = models.CharField(_("payment reference"), max_length=25)
    posted_on = models.DateField(_("posted on"), null=True, blank=True)
    # Every value printed (amounts, dates, addresses), except the portal code, which is printed only.
    # The recipient part is sealed under the addressee's (debtor's) data key, ``data_key``.
    data = PrintedValuesField(_("printed values"), default=dict, blank=True)
    # Values the caller supplies for a kind (the instalments of an arrangement), merged into ``data`` on render.
    details = models.JSONField(_("details"), default=dict, blank=True)
    batch = models.ForeignKey(
        PrintBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="letters", verbose_name=_("batch")
    )
    # One letter of a kind per case and day: queuing it twice is one letter.
    # Unique through a constraint below (no unused pattern-matching index on PostgreSQL).
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    error = models.TextField(_("why it failed"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The addressee's (debtor's) data key, the same row as the debtor's own: set when the printed values are stored.
    data_key = models.ForeignKey(
        "crypto.DataKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        indexes = [
            models.Index(fields=["status", "channel", "planned_for"], name="letter_queue_idx"),
            models.Index(fields=["case", "created_at"], name="letter_case_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="letter_idempotency_key_unique"),
            models.CheckConstraint(condition=Q(kind__in=LetterKind.values), name="letter_kind_valid"),
            models.CheckConstraint(condition=Q(language__in=LetterLanguage.values), name="letter_language_valid"),
            models.CheckConstraint(condition=Q(status__in=LetterStatus.values), name="letter_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=LetterChannel.values), name="letter_channel_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id} {self.planned_for}"

    def encryption_row_key(self, key_id: uuid.UUID) -> str:
        # A debtor's letters share its key: the idempotency key (unique, set when the letter is queued) keeps them
        # apart, so a sealed recipient copied to another letter does not open.
        return f"{key_id}/{self.idempotency_key}"

    def addressee_key(self) -> uuid.UUID | None:
        """The data key the printed values are sealed under: the case's debtor's."""
        key: uuid.UUID | None = (
            Case.objects.filter(pk=self.case_id).values_list("debtor__data_key_id", flat=True).first()
        )
        return key


class CommunicationChannel(models.TextChoices):
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")
    CALL = "call", _("Phone call")
    PORTAL = "portal", _("Portal message")
    SOCIAL = "social", _("Social media")


class Direction(models.TextChoices):
    OUT = "out", _("To the debtor")
    IN = "in", _("From the debtor")


class Communication(models.Model):
    """One contact with the debtor of a case, either way: the contact log of the case file (C-8, Wki)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="communications", verbose_name=_("case"))
    channel = models.CharField(_("channel"), max_length=10, choices=CommunicationChannel.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    subject = models.CharField(_("subject"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, null=True, blank=True, related_name="communications")
    # A person, or None when the system made the contact (a print batch, the nightly e-mails).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("communication")
        verbose_name_plural = _("communications")
        ordering = ["occurred_at", "pk"]
        indexes = [models.Index(fields=["case", "occurred_at"], name="communication_case_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=CommunicationChannel.values), name="communication_channel_valid"
            ),
            models.CheckConstraint(condition=Q(direction__in=Direction.values), name="communication_direction_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.direction}: {self.subject}"


class PortalAccessCode(models.Model):
    """A debtor-portal log-in code printed in one letter (C-11). Only a salted, keyed hash is stored."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="portal_codes", verbose_name=_("case"))
    letter = models.OneToOneField(Letter, on_delete=models.CASCADE, related_name="portal_code")
    code_hash = models.CharField(_("code hash"), max_length=128)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("portal access code")
        verbose_name_plural = _("portal access codes")
        indexes = [models.Index(fields=["case", "issued_at"], name="portal_code_case_idx")]

    def __str__(self) -> str:
        return f"code for {self.case_id} ({self.issued_at:%Y-%m-%d})"
