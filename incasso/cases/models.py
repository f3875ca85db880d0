"""Collection cases and the claims (invoices) they collect (C-3, C-4).

Money is stored as integer cents (``*_cents``), never as float; the domain core does the arithmetic.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.domain.case_stages import ClosedReason, Stage
from incasso.parties.models import Client, Debtor

# Model choices come from the domain enums so there is one list of stages; the labels are translated here.
STAGE_CHOICES = [(stage.value, _(stage.label)) for stage in Stage]
CLOSED_REASON_CHOICES = [(reason.value, _(reason.label)) for reason in ClosedReason]


class InterestKind(models.TextChoices):
    STATUTORY = "statutory", _("Statutory interest")
    COMMERCIAL = "commercial", _("Commercial interest")
    NONE = "none", _("No interest")


class Case(models.Model):
    """One collection file (*dossier*): a client's claims on one debtor, collected together."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cases", verbose_name=_("client"))
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="cases", verbose_name=_("debtor"))
    number = models.CharField(_("case number"), max_length=20, unique=True)
    stage = models.CharField(_("stage"), max_length=20, choices=STAGE_CHOICES, default=Stage.REMINDER.value)
    # NULL while the case is open: "no reason" is not a reason, and the check below ties it to the closed stage.
    closed_reason = models.CharField(  # noqa: DJ001
        _("closed because"), max_length=20, choices=CLOSED_REASON_CHOICES, null=True, blank=True
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    interest_kind = models.CharField(_("interest"), max_length=20, choices=InterestKind.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # The pipeline overview and the work queues filter a client's cases by stage.
            models.Index(fields=["client", "stage"], name="case_client_stage_idx"),
            models.Index(fields=["stage", "opened_on"], name="case_stage_opened_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=[s.value for s in Stage]), name="case_stage_valid"),
            models.CheckConstraint(
                condition=Q(closed_reason__isnull=True) | Q(closed_reason__in=[r.value for r in ClosedReason]),
                name="case_closed_reason_valid",
            ),
            # A closed case says why and when; an open case has neither.
            models.CheckConstraint(
                condition=(Q(stage=Stage.CLOSED.value) & Q(closed_reason__isnull=False) & Q(closed_on__isnull=False))
                | (~Q(stage=Stage.CLOSED.value) & Q(closed_reason__isnull=True) & Q(closed_on__isnull=True)),
                name="case_closed_has_reason_and_date",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="case_closed_after_opened",
            ),
            models.CheckConstraint(condition=Q(interest_kind__in=InterestKind.values), name="case_interest_valid"),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        # The database cannot see across the two foreign keys, so this check lives here and in case_create.
        if self.client_id and self.debtor_id and self.debtor.client_id != self.client_id:
            raise ValidationError({"debtor": _("The debtor belongs to another client.")}, code="debtor_of_other_client")


class Claim(models.Model):
    """One unpaid invoice of the client, collected in a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="claims", verbose_name=_("case"))
    # Repeats case.client so the database itself refuses the same invoice twice for one client (C-3 idempotency).
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="claims", verbose_name=_("client"))
    invoice_number = models.CharField(_("invoice number"), max_length=64)
    invoice_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    principal_cents = models.BigIntegerField(_("principal (cents)"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    description = models.CharField(_("description"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.UniqueConstraint(fields=["client", "invoice_number"], name="claim_invoice_unique_per_client"),
            models.CheckConstraint(condition=Q(principal_cents__gt=0), name="claim_principal_positive"),
            models.CheckConstraint(condition=Q(due_date__gte=F("invoice_date")), name="claim_due_after_invoice"),
        ]

    def __str__(self) -> str:
        return self.invoice_number

    def clean(self) -> None:
        if self.case_id and self.client_id and self.case.client_id != self.client_id:
            raise ValidationError({"client": _("A claim belongs to the client of its case.")}, code="client_mismatch")
