"""Complaints about the agency's work (the Wki requires a complaints procedure): received, answered, closed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.cases.models import Case

TEXT_LENGTH = 5000


class ComplaintChannel(models.TextChoices):
    DEBTOR_PORTAL = "debtor_portal", _("Debtor portal")
    EMAIL = "email", _("E-mail")
    POST = "post", _("Post")
    PHONE = "phone", _("Phone")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class Complaint(models.Model):
    """A complaint about the agency's work on a case.

    It stores no submitter of its own (no name, address or phone): whoever complains is a party of the case and is
    known, sealed, as that case's debtor (``parties.Debtor``). So there are no submitter fields to seal here. The
    complaint's text and answer are free text in the clear, like the other free-text notes on a case (the data map
    declares them as such).
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="complaints", verbose_name=_("case"))
    channel = models.CharField(_("received through"), max_length=20, choices=ComplaintChannel.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_on = models.DateField(_("answer due on"))
    text = models.TextField(_("complaint"), max_length=TEXT_LENGTH)
    status = models.CharField(_("status"), max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN)
    answer = models.TextField(_("answer"), blank=True, max_length=TEXT_LENGTH)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="complaint_queue_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ComplaintStatus.values), name="complaint_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=ComplaintChannel.values), name="complaint_channel_valid"),
        ]

    def __str__(self) -> str:
        return f"complaint {self.pk} on case {self.case_id}"
