"""Payment arrangements, their instalments, promises to pay and SEPA direct-debit mandates (C-10)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from incasso.cases.models import Case
from incasso.crypto.fields import EncryptedModel, EncryptedTextField

DEFAULT_GRACE_DAYS = 7


class ProposedBy(models.TextChoices):
    DEBTOR = "debtor", _("Debtor")
    COLLECTOR = "collector", _("Collector")


class ArrangementStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    BROKEN = "broken", _("Broken")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")


class Arrangement(models.Model):
    """An instalment plan for what a case owes: proposed, then accepted (active) or rejected."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="arrangements", verbose_name=_("case"))
    proposed_by = models.CharField(_("proposed by"), max_length=20, choices=ProposedBy.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ArrangementStatus.choices, default=ArrangementStatus.PROPOSED
    )
    total_cents = models.BigIntegerField(_("total (cents)"))
    months = models.PositiveSmallIntegerField(_("months"))
    instalment_cents = models.BigIntegerField(_("instalment (cents)"))
    first_due = models.DateField(_("first instalment due"))
    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=DEFAULT_GRACE_DAYS)
    # What the case had been paid when the plan was proposed: that money is already in ``total_cents``, so only
    # what the case is paid beyond it goes to the instalments (recomputed from the ledger, so a reversal undoes it).
    payments_baseline_cents = models.BigIntegerField(_("paid before the plan (cents)"), default=0)
    # Why it was not accepted automatically, or why a person decided as they did.
    review_reasons = models.TextField(_("review reasons"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment arrangement")
        verbose_name_plural = _("payment arrangements")
        constraints = [
            models.CheckConstraint(condition=models.Q(total_cents__gt=0), name="arrangement_total_positive"),
            models.CheckConstraint(condition=models.Q(months__gte=1), name="arrangement_months_positive"),
            # One plan in force per case: a second proposal waits until the first has ended.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=["proposed", "active"]),
                name="arrangement_one_open_per_case",
            ),
        ]
        indexes = [models.Index(fields=["status", "case"], name="arrangement_status_case_idx")]

    def __str__(self) -> str:
        return f"{self.months} x {self.instalment_cents / 100:.2f} ({self.status})"


class InstalmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    MISSED = "missed", _("Missed")


class Instalment(models.Model):
    arrangement = models.ForeignKey(
        Arrangement, on_delete=models.CASCADE, related_name="instalments", verbose_name=_("arrangement")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    paid_cents = models.BigIntegerField(_("paid (cents)"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=InstalmentStatus.choices, default=InstalmentStatus.OPEN
    )

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["arrangement_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "number"], name="instalment_number_unique"),
            models.CheckConstraint(
                condition=models.Q(paid_cents__gte=0, paid_cents__lte=models.F("amount_cents")),
                name="instalment_paid_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="instalment_status_due_idx")]

    def __str__(self) -> str:
        return f"#{self.number} {self.due_on} {self.amount_cents / 100:.2f} ({self.status})"


class PromiseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")


class PromiseToPay(models.Model):
    """The debtor's word that ``amount`` will be paid by ``due_on``; checked against the payments booked."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="promises", verbose_name=_("case"))
    promised_on = models.DateField(_("promised on"))
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=20, choices=PromiseStatus.choices, default=PromiseStatus.OPEN)
    # The day the promise was found kept or broken (``arrangements_check``, the run of a day after ``due_on``):
    # the daily run looks at the case again from then on (``collection.due``). Empty while the promise is open.
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        constraints = [models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="promise_amount_positive")]
        indexes = [
            models.Index(fields=["status", "due_on"], name="promise_status_due_idx"),
            # The daily run's selection: the promises settled in the last weeks (``collection.due``).
            models.Index(fields=["settled_on"], name="promise_settled_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.amount_cents / 100:.2f} by {self.due_on} ({self.status})"


class SequenceType(models.TextChoices):
    FIRST = "FRST", _("First collection")
    RECURRING = "RCUR", _("Recurring collection")


def validate_iban(value: str) -> None:
    try:
        IBAN(value)
    except SchwiftyException as exc:
        raise ValidationError(_("%(value)s is not a valid IBAN."), params={"value": value}, code="iban") from exc


class Mandate(EncryptedModel):
    """A SEPA Core direct-debit mandate the debtor signed for a case's arrangement.

    The account holder's name and IBAN are sealed under the debtor's data key (P-3), so destroying that key (erasure,
    the retention sweep) makes them unreadable here too, in backups included; they then read "[erased]" and the
    mandate is left out of any collection file. The reference, a number the agency made, stays in the clear: returns
    on the bank statement are matched by it.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="mandates", verbose_name=_("case"))
    reference = models.CharField(_("mandate reference"), max_length=35, unique=True)
    signed_on = models.DateField(_("signed on"))
    iban = EncryptedTextField(_("debtor IBAN"), max_length=34, validators=[validate_iban])
    name = EncryptedTextField(_("account holder"), max_length=70)
    sequence = models.CharField(_("sequence"), max_length=4, choices=SequenceType.choices, default=SequenceType.FIRST)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # The debtor's data key (the same row as the debtor's own), set by ``sepa.mandate_create``.
    data_key = models.ForeignKey(
        "crypto.DataKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("direct-debit mandate")
        verbose_name_plural = _("direct-debit mandates")

    def __str__(self) -> str:
        return self.reference

    def encryption_row_key(self, key_id: uuid.UUID) -> str:
        # A debtor's mandates share its key: the reference (unique, known before the row is written) keeps them apart.
        return f"{key_id}/{self.reference}"
