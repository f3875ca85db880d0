"""Reads of the ledger: payments per case for the quote, commission terms, balances, the unmatched queue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, F, OuterRef, Sum

from incasso.core.bulk_insert import AnyOf
from incasso.domain.money import Money
from incasso.domain.quote import PaymentInput
from incasso.ledger.models import AccountKind, Entry, LedgerTransaction, PaymentAllocation, TransactionKind
from incasso.ledger.shares import CommissionRates, RatesTimeline
from incasso.parties.models import CommissionTerms


def case_payments(*, case_ids: Iterable[int]) -> dict[int, list[PaymentInput]]:
    """The payments of each case that still stand (reversed ones left out), in the order the quote takes them.

    One query. A payment's date is the day the money arrived, which for a receipt assigned from the unmatched
    queue is earlier than the day it was booked to the case; same-day payments keep the order they were booked in.
    """
    # Not a join with the transactions (``transaction__reversed_by``): planned from stale statistics, that scanned
    # every transaction of the ledger twice per call; each allocation is looked up by case and its reversal by key.
    reversal = LedgerTransaction.objects.filter(reverses_id=OuterRef("transaction_id"))
    rows = (
        PaymentAllocation.objects.filter(AnyOf(F("case_id"), list(case_ids)))
        .filter(~Exists(reversal))
        .order_by("received_on", "transaction_id")
        .values_list("case_id", "received_on", "amount_cents")
    )
    payments: dict[int, list[PaymentInput]] = {}
    for case_id, received_on, cents in rows:
        payments.setdefault(case_id, []).append(PaymentInput(received_on, Money(cents)))
    return payments


def commission_timelines(*, client_ids: Iterable[int]) -> dict[int, RatesTimeline]:
    """Every version of each client's commission terms, in one query; a client without terms gets the defaults."""
    ids = list(client_ids)
    versions: dict[int, list[tuple[date, CommissionRates]]] = {client_id: [] for client_id in ids}
    for client_id, valid_from, principal_bp, interest_bp, costs_bp in CommissionTerms.objects.filter(
        AnyOf(F("client_id"), ids)
    ).values_list(
        "client_id",
        "valid_from",
        "commission_on_principal_bp",
        "agency_share_of_interest_bp",
        "agency_share_of_costs_bp",
    ):
        versions[client_id].append((valid_from, CommissionRates(principal_bp, interest_bp, costs_bp)))
    return {client_id: RatesTimeline.of(found) for client_id, found in versions.items()}


def account_balances(*, account_ids: Iterable[int]) -> dict[int, Money]:
    """The balance (debit positive) of each account from its entries, in one grouped query."""
    ids = list(account_ids)
    balances = dict.fromkeys(ids, Money.zero())
    rows = Entry.objects.filter(account_id__in=ids).values("account_id").annotate(total=Sum("amount_cents"))
    for row in rows.order_by():
        balances[row["account_id"]] = Money(row["total"])
    return balances


def balances_by_kind() -> dict[AccountKind, Money]:
    """The summed balance of every kind of account, in one grouped query: what the whole ledger holds where."""
    totals = dict.fromkeys(AccountKind, Money.zero())
    rows = Entry.objects.values("account__kind").annotate(total=Sum("amount_cents")).order_by()
    for row in rows:
        totals[AccountKind(row["account__kind"])] = Money(row["total"])
    return totals


@dataclass(frozen=True, slots=True)
class UnmatchedReceipt:
    transaction_id: int
    key: str
    received_on: date
    amount: Money
    reference: str


def unmatched_open() -> list[UnmatchedReceipt]:
    """Receipts waiting in the unmatched queue: booked to suspense, not reversed, not (or no longer) assigned."""
    rows = (
        Entry.objects.filter(
            account__kind=AccountKind.UNMATCHED,
            amount_cents__lt=0,
            transaction__kind=TransactionKind.PAYMENT,
            transaction__reversed_by__isnull=True,
        )
        # A receipt with an assignment that still stands is in a case now; a reversed assignment frees it again.
        .exclude(
            transaction_id__in=PaymentAllocation.objects.filter(
                from_unmatched__isnull=False, transaction__reversed_by__isnull=True
            ).values("from_unmatched_id")
        )
        .order_by("transaction__booked_on", "transaction_id")
        .values_list(
            "transaction_id",
            "transaction__idempotency_key",
            "transaction__booked_on",
            "amount_cents",
            "transaction__source_ref",
        )
    )
    return [UnmatchedReceipt(tx, key, day, Money(-cents), ref) for tx, key, day, cents, ref in rows]
