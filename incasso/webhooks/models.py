"""Webhooks (C-12): a client's endpoints, the events it asked for, and every delivery with its attempts."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.crypto.fields import EncryptedModel, EncryptedTextField
from incasso.parties.models import Client


class WebhookEventType(models.TextChoices):
    CASE_STAGE_CHANGED = "case.stage_changed", _("Case stage changed")
    PAYMENT_RECEIVED = "payment.received", _("Payment received")
    PAYOUT_MADE = "payout.made", _("Payout made")
    LEGAL_STEPS_DECIDED = "case.legal_steps_decided", _("Legal steps approved or refused")


class WebhookEndpoint(EncryptedModel):
    """Where a client wants to hear about events. An empty ``events`` list means every event."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    # The shared secret the payload is signed with; shown to the client once, when the endpoint is made. The
    # sender needs it in the clear to sign, so it cannot be a hash: it is sealed under a data key of the endpoint's
    # own, wrapped by the master key (``incasso.crypto``), so a copy of the database alone cannot forge webhooks.
    secret = EncryptedTextField(_("signing secret"), max_length=64)
    events = models.JSONField(_("events"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    # Declared after the sealed field: saving an endpoint without a key issues one before this column is written.
    data_key = models.OneToOneField(
        "crypto.DataKey", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one endpoint; delivered through the outbox (``integrations.PendingCall``) with back-off."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(_("event"), max_length=40, choices=WebhookEventType.choices)
    # Case numbers, stages and amounts: never a debtor's name or contact details.
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["endpoint", "created_at"], name="webhook_delivery_endpoint_idx")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id}"


class WebhookAttempt(models.Model):
    """The delivery log: one row per HTTP attempt, with the answer or the error."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(_("attempted at"), default=timezone.now)
    status_code = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-attempted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code or self.error[:20]}"
