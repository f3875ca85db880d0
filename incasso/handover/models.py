"""Hand-overs of a case file: to a partner agency abroad (the case leaves us) or to a bailiff or lawyer (legal steps).

A ``HandoverRecipient`` is how a recipient of the recipients register (P-8) is reached: its SFTP server, the host
key we trust, and the public key its packages are encrypted for. A ``Handover`` is one package sent, and the
status the recipient reported back.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HandoverRole(models.TextChoices):
    PARTNER_ABROAD = "partner_abroad", _("Partner agency abroad")
    BAILIFF = "bailiff", _("Bailiff")
    LAWYER = "lawyer", _("Lawyer")


class HandoverRecipient(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    recipient = models.ForeignKey(
        "disclosures.Recipient", on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient")
    )
    role = models.CharField(_("role"), max_length=20, choices=HandoverRole.choices)
    host = models.CharField(_("SFTP host"), max_length=200)
    port = models.PositiveIntegerField(_("SFTP port"), default=22)
    username = models.CharField(_("SFTP user name"), max_length=100)
    # The server's public key as in known_hosts without the host name ("ssh-ed25519 AAAA..."): only it is trusted.
    host_key = models.TextField(_("SFTP host key"))
    inbox_dir = models.CharField(_("directory for our packages"), max_length=200, default="inbox")
    outbox_dir = models.CharField(_("directory of their status files"), max_length=200, default="outbox")
    # The recipient's RSA public key (PEM): packages are encrypted so only the recipient can read them.
    public_key_pem = models.TextField(_("encryption public key (PEM)"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("hand-over recipient")
        verbose_name_plural = _("hand-over recipients")
        constraints = [models.CheckConstraint(condition=Q(role__in=HandoverRole.values), name="handover_role_valid")]

    def __str__(self) -> str:
        return self.code


class HandoverStatus(models.TextChoices):
    QUEUED = "queued", _("Queued: waiting for the recipient's server")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted by the recipient")
    REJECTED = "rejected", _("Rejected by the recipient")
    COMPLETED = "completed", _("Completed by the recipient")


class Handover(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="handovers")
    handover_recipient = models.ForeignKey(HandoverRecipient, on_delete=models.PROTECT, related_name="handovers")
    status = models.CharField(
        _("status"), max_length=20, choices=HandoverStatus.choices, default=HandoverStatus.QUEUED.value
    )
    package_name = models.CharField(_("package file name"), max_length=120, unique=True)
    disclosure = models.ForeignKey(
        "disclosures.Disclosure", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    partner_reference = models.CharField(_("recipient's reference"), max_length=100, blank=True)
    status_note = models.TextField(_("recipient's note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    status_at = models.DateTimeField(_("status reported at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=HandoverStatus.values), name="handover_status_valid"),
        ]

    def __str__(self) -> str:
        return self.package_name
