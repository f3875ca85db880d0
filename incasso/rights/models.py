"""Data-subject requests (GDPR art. 15-22, SPEC P-4): one queue for the privacy officer, whatever the channel.

A request is about one controller's data: a person with cases for two clients makes two requests (split on
intake), because each client decides on its own processing and the agency only carries out its instruction.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.core.validators import validate_email
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.crypto.fields import EncryptedModel, EncryptedTextField
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


class RightsRequest(EncryptedModel):
    """One request about one controller's data.

    Who asked (name, address, phone, a subscriber's address) is sealed under a data key of the request's own (P-3),
    not under the data subject's: erasing the person (their key destroyed) must leave the request readable, because
    the agency has to show that it answered, when and to whom (accountability, GDPR art. 5(2), 12(3)). The request is
    kept under its own retention. No blind index: nothing looks a request up by these values (the mailbox matches a
    message by its Message-ID, a person by the debtors' and contacts' indexes).
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    # Requests split from one intake share it, so the queue can show them together.
    intake_key = models.CharField(_("intake key"), max_length=40, db_index=True)
    kind = models.CharField(_("kind"), max_length=30, choices=RequestKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=RequestChannel.choices)
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    requester_name = EncryptedTextField(_("requester's name"), max_length=200, blank=True)
    requester_email = EncryptedTextField(
        _("requester's e-mail address"), max_length=254, blank=True, validators=[validate_email]
    )
    requester_phone = EncryptedTextField(_("requester's phone number"), max_length=32, blank=True)
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
    subscriber_email = EncryptedTextField(
        _("subscriber's e-mail address"), max_length=254, blank=True, validators=[validate_email]
    )
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
    # Declared after the encrypted fields: saving a request without a key issues one before this column is written.
    data_key = models.OneToOneField(
        "crypto.DataKey", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

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
    """A one-time code e-mailed to an address on file; only its hash is kept.

    Of the address only a masked form is kept (``j***@e***.nl``, ``services.address_masked``): all the code is
    recorded for is to show staff which address on file it went to, and that form tells the addresses of one person
    apart without being one. Nothing looks a code up by its address, so there is no blind index either (one would
    let whoever holds the index key confirm an address), and no key: nothing is left for erasure to destroy.
    """

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=128)
    sent_to = models.CharField(_("sent to (masked)"), max_length=254)
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


# What the retention sweep writes over a debtor's rectification history (``privacy.retention.anonymise``, field set
# retention.anonymise/3), in one UPDATE of all the chunk's rows and in the transaction that destroys the key.
SWEEP_MARKER = "[anonymised]"


class HistoryValueField(EncryptedTextField):
    """A rectification's old or new value, sealed under the debtor's key, that also takes the sweep's marker.

    A value given to ``update()`` cannot be sealed (there is no row to bind it to) and is refused, except the sweep's
    marker: it is not personal data, so it is stored as given and reads as written, while the values it replaces
    are unreadable anyway once the key is destroyed.
    """

    def get_db_prep_save(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        if value == SWEEP_MARKER:
            return SWEEP_MARKER
        return super().get_db_prep_save(value, connection)

    def open(self, instance: models.Model, sealed: str) -> Any:
        return SWEEP_MARKER if sealed == SWEEP_MARKER else super().open(instance, sealed)


class RectificationChange(EncryptedModel):
    """A value changed on a rectification request: the change history (old and new value).

    The old and new values (a name, an address) are sealed under the debtor's own data key (P-3): erasing the debtor
    destroys the key, and the history reads "[erased]" everywhere, backups included; which field changed, when and by
    whom stays, to show the request was carried out.
    """

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="changes")
    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="rectifications")
    field = models.CharField(max_length=60)
    old_value = HistoryValueField(blank=True)
    new_value = HistoryValueField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    actor_label = models.CharField(max_length=150)
    # The debtor's data key (the same row as the debtor's own).
    data_key = models.ForeignKey(
        "crypto.DataKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    def __str__(self) -> str:
        return f"{self.field} changed at {self.at}"

    def encryption_row_key(self, key_id: uuid.UUID) -> str:
        # A debtor's changes share its key: the request and the field (known before the row is written) keep them
        # apart, so a value copied to another change does not open.
        return f"{key_id}/{self.request_id}/{self.field}"
