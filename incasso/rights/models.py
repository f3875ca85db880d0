"""Data-subject requests (GDPR art. 15-22, SPEC P-4): one queue for the privacy officer, whatever the channel.

A request is about one controller's data: a person with cases for two clients makes two requests (split on
intake), because each client decides on its own processing and the agency only carries out its instruction.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.parties.models import Client, ClientContact, Debtor


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access (with a copy)")
    RECTIFICATION = "rectification", _("Rectification")
    ERASURE = "erasure", _("Erasure")
    RESTRICTION = "restriction", _("Restriction of processing")
    OBJECTION_PROCESSING = "objection_processing", _("Objection to processing")
    OBJECTION_MARKETING = "objection_marketing", _("Objection to direct marketing")
    PORTABILITY = "portability", _("Data portability")
    CONSENT_WITHDRAWAL = "consent_withdrawal", _("Withdrawal of consent")
    HUMAN_REVIEW = "human_review", _("Human review of an automated decision")


class RequestChannel(models.TextChoices):
    PORTAL = "portal", _("Debtor portal")
    WEB_FORM = "web_form", _("Public web form")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone (entered by staff)")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received, identity not verified")
    VERIFIED = "verified", _("Identity verified")
    FORWARDED = "forwarded", _("Forwarded to the controller")
    INSTRUCTED = "instructed", _("Controller's instruction recorded")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")


OPEN_STATUSES = (
    RequestStatus.RECEIVED,
    RequestStatus.VERIFIED,
    RequestStatus.FORWARDED,
    RequestStatus.INSTRUCTED,
)


class SubjectKind(models.TextChoices):
    DEBTOR = "debtor", _("Debtor or other case party")
    CLIENT_CONTACT = "client_contact", _("Client contact")
    SUBSCRIBER = "subscriber", _("Newsletter subscriber")
    UNKNOWN = "unknown", _("Not yet identified")


class VerificationMethod(models.TextChoices):
    PORTAL_LOGIN = "portal_login", _("Logged in to the debtor portal")
    EMAIL_CODE = "email_code", _("Code sent to a known address")
    STAFF_CHECK = "staff_check", _("Checked by staff")


class RightsRequest(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    # Requests split from one intake share it, so the queue can show them together.
    intake_key = models.CharField(_("intake key"), max_length=40, db_index=True)
    kind = models.CharField(_("kind"), max_length=30, choices=RequestKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=RequestChannel.choices)
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    requester_name = models.CharField(_("requester's name"), max_length=200, blank=True)
    requester_email = models.EmailField(_("requester's e-mail address"), blank=True)
    requester_phone = models.CharField(_("requester's phone number"), max_length=32, blank=True)
    # What the person wrote, as received (e-mail body, form text, a note of the call).
    message = models.TextField(_("message"), blank=True)
    # The e-mail's Message-ID, so a message read twice from the mailbox is one request.
    source_message_id = models.CharField(_("message id"), max_length=250, blank=True, db_index=True)
    subject_kind = models.CharField(
        _("subject kind"), max_length=20, choices=SubjectKind.choices, default=SubjectKind.UNKNOWN
    )
    debtors = models.ManyToManyField(Debtor, related_name="rights_requests", blank=True)
    client_contact = models.ForeignKey(
        ClientContact, on_delete=models.SET_NULL, null=True, blank=True, related_name="rights_requests"
    )
    subscriber_email = models.EmailField(_("subscriber's e-mail address"), blank=True)
    # The client whose data it is (processor role), or None: the agency's own data (controller role).
    controller = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="rights_requests"
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_on = models.DateField(_("due on"))
    extended_to = models.DateField(_("extended to"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extension_notice_at = models.DateTimeField(_("extension notice sent at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_method = models.CharField(
        _("verification method"), max_length=20, choices=VerificationMethod.choices, blank=True
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verification_note = models.TextField(_("verification note"), blank=True)
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    instruction = models.TextField(_("controller's instruction"), blank=True)
    instruction_at = models.DateTimeField(_("instruction recorded at"), null=True, blank=True)
    # Rectification: the corrected values asked for, {"field": "value"}.
    corrections = models.JSONField(_("corrections"), default=dict, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="rights_queue_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RequestKind.values), name="rights_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="rights_status_valid"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def deadline(self) -> datetime.date:
        return self.extended_to or self.due_on

    @property
    def processor_role(self) -> bool:
        """The agency processes this data for a client, who decides (the request goes to that client)."""
        return self.controller is not None and not self.controller.is_agency

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class VerificationCode(models.Model):
    """A one-time code e-mailed to an address on file; only its hash is kept."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=128)
    sent_to = models.EmailField(_("sent to"))
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for {self.request_id}"


# The words shown for a step of the history (``RequestEvent.action``); a status as step uses its status label.
STEP_LABELS = {
    "received": _("Received"),
    "read": _("Read by staff"),
    "verified": _("Identity verified"),
    "code_sent": _("Verification code sent"),
    "extended": _("Deadline extended"),
    "forwarded": _("Forwarded to the controller"),
    "instruction_recorded": _("Controller's instruction recorded"),
    "review_task_created": _("Review task created"),
    "objection_recorded": _("Objection recorded"),
    "consent_withdrawn": _("Consent withdrawn"),
    "rectified": _("Data rectified"),
    "restricted": _("Processing restricted"),
    "restriction_lifted": _("Restriction lifted"),
    "erased": _("Data erased"),
    "erasure_blocked": _("Erasure blocked"),
    "export_link_sent": _("Download link sent"),
    "export_delivered": _("Export delivered"),
}


class RequestEvent(models.Model):
    """The request's history: every step, who took it and when."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=40)
    actor_label = models.CharField(max_length=150)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} at {self.at}"

    @property
    def action_label(self) -> str:
        """The step in the reader's language (the raw code for a step no label is known for)."""
        if self.action in STEP_LABELS:
            return str(STEP_LABELS[self.action])
        if self.action in RequestStatus.values:
            return str(RequestStatus(self.action).label)
        return self.action


class ExportDelivery(models.Model):
    """One download of an access or portability export through its signed link."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="deliveries")
    fmt = models.CharField(max_length=8)
    delivered_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.fmt} delivered at {self.delivered_at}"


class RectificationChange(models.Model):
    """A value changed on a rectification request: the change history (old and new value)."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="changes")
    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="rectifications")
    field = models.CharField(max_length=60)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    actor_label = models.CharField(max_length=150)

    def __str__(self) -> str:
        return f"{self.field} changed at {self.at}"
