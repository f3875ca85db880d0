"""The debtor portal's own records: log-in attempts and locks, dispute files, and the history of contact changes.

Everything else the portal shows or changes lives in the apps that own it (cases, arrangements, payment links,
communications, rights); the portal only calls their services.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.cases.models import Case
from incasso.parties.models import Debtor

CASE_NUMBER_LENGTH = 40


class LoginOutcome(models.TextChoices):
    SUCCEEDED = "succeeded", _("Logged in")
    WRONG_DETAILS = "wrong_details", _("Wrong details")
    LOCKED = "locked", _("Case locked")
    RATE_LIMITED = "rate_limited", _("Too many attempts")


class LoginAttempt(models.Model):
    """One try to log in to the portal, kept to limit attempts per IP address and per case number (C-11).

    The case number is kept as typed (trimmed), also when no such case exists: the limits must treat unknown and
    known numbers alike, or they would tell a guesser which numbers exist.
    """

    attempted_at = models.DateTimeField(_("attempted at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    case_number = models.CharField(_("case number as typed"), max_length=CASE_NUMBER_LENGTH)
    outcome = models.CharField(_("outcome"), max_length=20, choices=LoginOutcome.choices)

    class Meta:
        verbose_name = _("portal log-in attempt")
        verbose_name_plural = _("portal log-in attempts")
        indexes = [
            models.Index(fields=["ip_address", "attempted_at"], name="portal_attempt_ip_idx"),
            models.Index(fields=["case_number", "attempted_at"], name="portal_attempt_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.outcome} {self.attempted_at:%Y-%m-%d %H:%M}"


class LoginLock(models.Model):
    """A case number locked after repeated failed log-ins: no log-in, even with the right details, until it ends."""

    case_number = models.CharField(_("case number as typed"), max_length=CASE_NUMBER_LENGTH)
    locked_at = models.DateTimeField(_("locked at"), default=timezone.now)
    locked_until = models.DateTimeField(_("locked until"))
    failures = models.PositiveIntegerField(_("failed attempts"))

    class Meta:
        verbose_name = _("portal log-in lock")
        verbose_name_plural = _("portal log-in locks")
        indexes = [models.Index(fields=["case_number", "locked_until"], name="portal_lock_case_idx")]

    def __str__(self) -> str:
        return f"{self.case_number} until {self.locked_until:%Y-%m-%d %H:%M}"


class DisputeFile(models.Model):
    """A file a debtor uploaded with a dispute. Stored under the media directory by a random name, never its own."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="dispute_files", verbose_name=_("case"))
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=50)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # Relative to settings.INCASSO_MEDIA_DIR.
    stored_path = models.CharField(_("stored as"), max_length=255, unique=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("dispute file")
        verbose_name_plural = _("dispute files")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.case_id})"

    @property
    def extension(self) -> str:
        """The stored file's extension (chosen from the checked content, never from the uploaded name)."""
        return self.stored_path.rsplit(".", 1)[-1]


class ContactChange(models.Model):
    """Which contact details a debtor changed in the portal, and when (the values themselves stay on the debtor)."""

    debtor = models.ForeignKey(
        Debtor, on_delete=models.CASCADE, related_name="portal_contact_changes", verbose_name=_("debtor")
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    fields = models.JSONField(_("fields changed"), default=list)

    class Meta:
        verbose_name = _("contact change")
        verbose_name_plural = _("contact changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.debtor_id}: {', '.join(self.fields)}"
