"""Print batches shipped to the print house over SFTP, and what the print house reported back per letter (C-8).

A ``Shipment`` is the print house's side of a ``communications.PrintBatch``: where its files went, when, and how
often it was tried. A ``DeliveryLine`` is one fact from a delivery report: a letter was delivered, came back, or
could not be delivered. One fact per letter and status, so a report read twice records nothing new.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.communications.models import Letter, PrintBatch


class ShipmentStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")  # not yet uploaded, or the last attempt failed: the next run tries again
    SENT = "sent", _("Sent")  # the files and the ready file are on the print house's server
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")  # the print house reported on its letters
    FAILED = "failed", _("Failed")  # cannot ever be sent as is (the batch files are missing or changed)


class Shipment(models.Model):
    batch = models.OneToOneField(
        PrintBatch, on_delete=models.PROTECT, related_name="shipment", verbose_name=_("print batch")
    )
    status = models.CharField(_("status"), max_length=12, choices=ShipmentStatus.choices, default=ShipmentStatus.QUEUED)
    remote_pdf_path = models.CharField(_("PDF on the server"), max_length=255, blank=True)
    remote_manifest_path = models.CharField(_("manifest on the server"), max_length=255, blank=True)
    remote_ready_path = models.CharField(_("ready file on the server"), max_length=255, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    report_received_at = models.DateTimeField(_("delivery report received at"), null=True, blank=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="shipment_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ShipmentStatus.values), name="shipment_status_valid"),
        ]

    def __str__(self) -> str:
        return f"shipment of batch {self.batch_id}: {self.status}"


class DeliveryStatus(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    RETURNED = "returned", _("Returned by post")
    UNDELIVERABLE = "undeliverable", _("Undeliverable")


class DeliveryLine(models.Model):
    shipment = models.ForeignKey(
        Shipment, on_delete=models.PROTECT, related_name="delivery_lines", verbose_name=_("shipment")
    )
    letter = models.ForeignKey(
        Letter, on_delete=models.CASCADE, related_name="delivery_lines", verbose_name=_("letter")
    )
    status = models.CharField(_("status"), max_length=13, choices=DeliveryStatus.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    report_name = models.CharField(_("report file"), max_length=255)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery line")
        verbose_name_plural = _("delivery lines")
        ordering = ["reported_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "status"], name="delivery_line_one_per_letter_status"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_line_status_valid"),
        ]

    def __str__(self) -> str:
        return f"letter {self.letter_id}: {self.status}"
