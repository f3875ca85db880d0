"""The double-entry ledger: accounts, transactions and their entries (C-9), and what payments and payouts were.

Amounts are signed integer cents: a positive entry is a debit, a negative entry a credit, and the entries of every
transaction sum to zero. Entries and transactions are never changed or deleted (database triggers refuse it, see
migration 0002); a mistake is corrected by a reversing transaction. Only ``services.postings.transaction_post``
writes transactions, so the sum-to-zero rule is checked in one place before the database checks it again.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.cases.models import Case
from incasso.parties.models import Client


class AccountKind(models.TextChoices):
    BANK_CLIENT_MONEY = "bank_client_money", _("Bank: client money account (derdengelden)")
    CLIENT_MONEY_PAYABLE = "client_money_payable", _("Client money owed to the client")
    RECEIVABLE = "receivable", _("Receivable from the debtor")
    AGENCY_REVENUE_COSTS = "agency_revenue_costs", _("Agency revenue: collection costs")
    AGENCY_REVENUE_COMMISSION = "agency_revenue_commission", _("Agency revenue: commission")
    AGENCY_REVENUE_INTEREST = "agency_revenue_interest", _("Agency revenue: share of interest")
    UNMATCHED = "unmatched", _("Unmatched receipts (suspense)")
    REFUNDS_PAYABLE = "refunds_payable", _("Overpayments owed back to debtors")
    BANK_OPERATING = "bank_operating", _("Bank: the agency's own account")


# Which accounts exist once per client, once per case, or once for the whole agency.
PER_CLIENT_KINDS = frozenset({AccountKind.CLIENT_MONEY_PAYABLE})
PER_CASE_KINDS = frozenset({AccountKind.RECEIVABLE, AccountKind.REFUNDS_PAYABLE})
AGENCY_KINDS = frozenset(AccountKind) - PER_CLIENT_KINDS - PER_CASE_KINDS
REVENUE_KINDS = frozenset(
    {AccountKind.AGENCY_REVENUE_COSTS, AccountKind.AGENCY_REVENUE_COMMISSION, AccountKind.AGENCY_REVENUE_INTEREST}
)


def _values(kinds: frozenset[AccountKind]) -> list[str]:
    """Plain, sorted strings: a migration then holds the values, not an import of this module."""
    return sorted(kind.value for kind in kinds)


class Account(models.Model):
    """One account of the ledger. Created on first use (``account_for``); its balance is always its entries' sum."""

    # "<kind>", "<kind>:client:<id>" or "<kind>:case:<id>": one account per owner, found without a join.
    code = models.CharField(_("code"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=AccountKind.choices)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            # The owner an account has is exactly the one its kind calls for.
            models.CheckConstraint(
                condition=(Q(kind__in=_values(PER_CLIENT_KINDS)) & Q(client__isnull=False) & Q(case__isnull=True))
                | (Q(kind__in=_values(PER_CASE_KINDS)) & Q(client__isnull=True) & Q(case__isnull=False))
                | (Q(kind__in=_values(AGENCY_KINDS)) & Q(client__isnull=True) & Q(case__isnull=True)),
                name="ledger_account_owner_fits_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class TransactionKind(models.TextChoices):
    PAYMENT = "payment", _("Payment received")
    REVERSAL = "reversal", _("Reversal")
    REFUND = "refund", _("Refund to a debtor")
    PAYOUT = "payout", _("Payout to a client")
    CHARGE = "charge", _("Charge")
    ADJUSTMENT = "adjustment", _("Adjustment")


class LedgerTransaction(models.Model):
    """One balanced posting. Its idempotency key makes a replayed import or webhook book nothing twice."""

    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TransactionKind.choices)
    booked_on = models.DateField(_("booked on"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    # One-to-one: a transaction is reversed at most once, which the database guarantees.
    # Checked per INSERT statement by a trigger on PostgreSQL, not per row at commit (migration 0007).
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
        db_constraint=False,
    )
    source_ref = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        indexes = [models.Index(fields=["kind", "booked_on"], name="ledger_tx_kind_booked_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TransactionKind.values), name="ledger_tx_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind=TransactionKind.REVERSAL.value, reverses__isnull=False)
                | (~Q(kind=TransactionKind.REVERSAL.value) & Q(reverses__isnull=True)),
                name="ledger_tx_reversal_names_original",
            ),
        ]

    def __str__(self) -> str:
        return self.idempotency_key


class Entry(models.Model):
    """One line of a transaction: a signed amount on one account (debit positive, credit negative)."""

    # Checked by the database per INSERT statement, not per row at commit (migration 0004): no foreign key on
    # PostgreSQL.
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries", db_constraint=False
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", db_constraint=False)
    amount_cents = models.BigIntegerField(_("amount (cents)"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [models.CheckConstraint(condition=~Q(amount_cents=0), name="ledger_entry_amount_not_zero")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount_cents}"


class PaymentAllocation(models.Model):
    """Where a payment went by the quote (LEGAL.md §4), recorded when it was booked, in the order applied.

    A reversed payment keeps its row (the ledger forgets nothing); the quote leaves it out from then on.
    """

    # This and ``from_unmatched`` are checked per statement by a trigger on PostgreSQL, not per row (migration 0007).
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="allocation", db_constraint=False
    )
    # Not indexed on its own: ``ledger_alloc_case_received_idx`` (case, received_on) serves every lookup by case.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payment_allocations", db_index=False)
    # The day the debtor's money arrived: the payment's date in the quote (interest stops running on it then).
    received_on = models.DateField(_("received on"))
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    to_costs_cents = models.BigIntegerField(_("to costs (cents)"))
    to_interest_cents = models.BigIntegerField(_("to interest (cents)"))
    to_principal_cents = models.BigIntegerField(_("to principal (cents)"))
    overpayment_cents = models.BigIntegerField(_("overpayment (cents)"))
    # The agency's shares booked as its revenue under the client's commission terms on the day received.
    agency_costs_cents = models.BigIntegerField(_("agency share of costs (cents)"))
    agency_interest_cents = models.BigIntegerField(_("agency share of interest (cents)"))
    lines = models.JSONField(_("order applied"))
    source = models.CharField(_("source"), max_length=50)
    reference = models.CharField(_("payment reference"), max_length=140, blank=True)
    # Set when finance assigned a receipt from the unmatched queue to this case.
    from_unmatched = models.ForeignKey(
        LedgerTransaction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        indexes = [
            models.Index(fields=["case", "received_on"], name="ledger_alloc_case_received_idx"),
            # Indexed where set only: most payments come straight from the bank, not from the unmatched queue.
            models.Index(
                fields=["from_unmatched"],
                condition=Q(from_unmatched__isnull=False),
                name="ledger_alloc_unmatched_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="ledger_alloc_amount_positive"),
            models.CheckConstraint(
                condition=Q(to_costs_cents__gte=0)
                & Q(to_interest_cents__gte=0)
                & Q(to_principal_cents__gte=0)
                & Q(overpayment_cents__gte=0),
                name="ledger_alloc_parts_not_negative",
            ),
            # Every cent of a payment lands somewhere, and nowhere twice.
            models.CheckConstraint(
                condition=Q(
                    amount_cents=F("to_costs_cents")
                    + F("to_interest_cents")
                    + F("to_principal_cents")
                    + F("overpayment_cents")
                ),
                name="ledger_alloc_parts_sum_to_amount",
            ),
            models.CheckConstraint(
                condition=Q(agency_costs_cents__gte=0)
                & Q(agency_costs_cents__lte=F("to_costs_cents"))
                & Q(agency_interest_cents__gte=0)
                & Q(agency_interest_cents__lte=F("to_interest_cents")),
                name="ledger_alloc_agency_share_within_part",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.amount_cents}"


class Payout(models.Model):
    """A payment of collected money to a client, with its statement and SEPA credit-transfer file (C-9)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="payouts")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    gross_cents = models.BigIntegerField(_("collected for the client (cents)"))
    commission_cents = models.BigIntegerField(_("commission (cents)"))
    net_cents = models.BigIntegerField(_("paid out (cents)"))
    transaction = models.OneToOneField(LedgerTransaction, on_delete=models.PROTECT, related_name="payout")
    statement = models.JSONField(_("statement lines"))
    # Kept as sent: a bank refuses a file whose message id it has seen, so a re-download must be the same file.
    credit_transfer_xml = models.TextField(_("pain.001 credit transfer"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(net_cents__gt=0), name="ledger_payout_net_positive"),
            models.CheckConstraint(
                condition=Q(net_cents=F("gross_cents") - F("commission_cents")), name="ledger_payout_net_is_gross_less"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="ledger_payout_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.period_start}..{self.period_end}"


class PayoutItem(models.Model):
    """A payment or reversal settled with a client by one payout; one-to-one, so none is ever paid out twice."""

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="items")
    transaction = models.OneToOneField(LedgerTransaction, on_delete=models.PROTECT, related_name="payout_item")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    client_cents = models.BigIntegerField(_("client's share (cents)"))
    commission_cents = models.BigIntegerField(_("commission (cents)"))

    class Meta:
        verbose_name = _("payout item")
        verbose_name_plural = _("payout items")

    def __str__(self) -> str:
        return f"{self.payout_id}: {self.transaction_id}"
