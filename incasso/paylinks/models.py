"""Payment links: a payment created at the provider for a case, and every status it went through.

The provider's status is never taken from a webhook's body: it is fetched back from the provider
(``services.payment_link_sync``), and each change is kept as a ``PaymentLinkEvent``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.cases.models import Case
from incasso.domain.money import Money

PROVIDER_ID_LENGTH = 64
LEDGER_KEY_LENGTH = 80


class PaymentMethod(models.TextChoices):
    IDEAL = "ideal", _("iDEAL")
    CREDITCARD = "creditcard", _("Credit card")


class PaymentLinkStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
    CANCELED = "canceled", _("Canceled")


class PaymentLink(models.Model):
    """A payment at the provider for (part of) what a case owes."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payment_links", verbose_name=_("case"))
    provider_payment_id = models.CharField(_("provider's payment id"), max_length=PROVIDER_ID_LENGTH, unique=True)
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=PaymentLinkStatus.choices, default=PaymentLinkStatus.OPEN
    )
    checkout_url = models.URLField(_("checkout URL"), max_length=2000)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # The ledger payment's idempotency key, set once the payment is booked.
    ledger_key = models.CharField(_("ledger key"), max_length=LEDGER_KEY_LENGTH, blank=True)
    # A chargeback: how much the payer's bank took back, and when we booked it (the reversal's ledger key).
    charged_back_cents = models.BigIntegerField(_("charged back (cents)"), default=0)
    chargeback_key = models.CharField(_("chargeback ledger key"), max_length=LEDGER_KEY_LENGTH, blank=True)

    class Meta:
        verbose_name = _("payment link")
        verbose_name_plural = _("payment links")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount_cents__gt=0), name="paylink_amount_positive")]

    def __str__(self) -> str:
        return self.provider_payment_id

    @property
    def amount(self) -> Money:
        return Money(self.amount_cents)


class PaymentLinkEvent(models.Model):
    """One status a payment link reached, as fetched back from the provider."""

    link = models.ForeignKey(PaymentLink, on_delete=models.CASCADE, related_name="events", verbose_name=_("link"))
    from_status = models.CharField(_("from"), max_length=20, choices=PaymentLinkStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=PaymentLinkStatus.choices)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("payment link event")
        verbose_name_plural = _("payment link events")
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.link_id}: {self.from_status or '-'} -> {self.to_status}"
