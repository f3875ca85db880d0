"""Money from debtors: payments to a case, reversals, the unmatched queue, refunds (C-9).

These are the services the statement import, the payment links and direct-debit returns call. Each is idempotent
per key: a statement imported twice books nothing twice, and a replay returns what the first call booked. How a
payment is allocated and split among its owners is ``services.allocation``'s. A payment newly booked to a case is a
``payment.received`` webhook event for its client (set-based: one query when no client of the cases subscribed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from django.db.transaction import atomic

from incasso.cases.models import Case
from incasso.domain.money import Money
from incasso.ledger.errors import IdempotencyConflict, LedgerError
from incasso.ledger.models import AccountKind, Entry, LedgerTransaction, PaymentAllocation, TransactionKind
from incasso.ledger.selectors import account_balances
from incasso.ledger.services.allocation import Booking, PaymentRecord, payments_book, payments_replayed
from incasso.ledger.services.postings import (
    CURRENCY,
    AccountKey,
    Posting,
    account_ids_for,
    accounts_for,
    transaction_post,
    transaction_reverse,
    transactions_post,
    transactions_write,
)
from incasso.webhooks.models import WebhookEventType
from incasso.webhooks.services import CaseEvent, webhook_case_events_emit_bulk

BANK = AccountKey(AccountKind.BANK_CLIENT_MONEY)
UNMATCHED = AccountKey(AccountKind.UNMATCHED)


@dataclass(frozen=True, slots=True)
class PaymentToReceive:
    """One payment for :func:`payments_receive`: the arguments of :func:`payment_receive`."""

    case_id: int
    amount: Money
    received_on: date
    key: str
    source: str
    reference: str = ""


@dataclass(frozen=True, slots=True)
class UnmatchedToReceive:
    """One receipt for :func:`unmatched_receive_bulk`: the arguments of :func:`unmatched_receive`."""

    amount: Money
    received_on: date
    key: str
    reference: str


def _positive(amount: Money) -> None:
    if amount.currency != CURRENCY:
        raise LedgerError(f"the ledger keeps {CURRENCY}, not {amount.currency}")
    if amount.cents <= 0:
        raise LedgerError(f"an amount received or paid must be positive, got {amount}")


def _case_locked(case_id: int) -> None:
    """Lock the case row: what is booked to one case is booked one after another."""
    if not Case.objects.select_for_update().filter(pk=case_id).exists():
        raise LedgerError(f"there is no case {case_id}")


def _book_once(bookings: Sequence[Booking]) -> list[PaymentRecord]:
    """Book what is new, answer replays from the ledger; a key given twice in one call books once."""
    replayed = payments_replayed(bookings)
    records_by_key: dict[str, PaymentRecord] = {}
    new: dict[str, Booking] = {}
    for booking in bookings:
        if booking.key in replayed:
            continue
        first = new.setdefault(booking.key, booking)
        if (first.case_id, first.amount) != (booking.case_id, booking.amount):
            raise IdempotencyConflict(f"key {booking.key!r} is given twice for different payments")
    booked = {record.key: record for record in payments_book(list(new.values()))} if new else {}
    records = []
    for booking in bookings:
        if booking.key in replayed:
            record = replayed[booking.key]
        elif booking.key in booked:
            record = booked.pop(booking.key)
        else:  # a repeat of a key within the call is a replay of its first
            record = replace(records_by_key[booking.key], duplicate=True)
        records_by_key[booking.key] = record
        records.append(record)
    return records


@atomic
def payments_receive(*, payments: Sequence[PaymentToReceive]) -> list[PaymentRecord]:
    """Book many payments (e.g. a statement chunk) in a fixed number of queries; one record per payment, in order.

    Each is allocated and idempotent exactly as :func:`payment_receive` would, one after the other. Any refusal
    books nothing of the call: a caller that must keep the rest books the payments one by one instead.
    """
    for payment in payments:
        _positive(payment.amount)
    bookings = [
        Booking(p.case_id, p.amount, p.received_on, p.received_on, p.key, p.source, p.reference, BANK) for p in payments
    ]
    if not bookings:
        return []
    records = _book_once(bookings)
    sources = {p.key: p.source for p in payments}
    _payments_announce([r for r in records if not r.duplicate], sources)
    return records


def _payments_announce(records: Sequence[PaymentRecord], sources: dict[str, str]) -> None:
    """The ``payment.received`` webhook events of newly booked payments, in the booking's transaction."""
    webhook_case_events_emit_bulk(
        events=[
            CaseEvent(
                record.case_id,
                WebhookEventType.PAYMENT_RECEIVED,
                {
                    "amount_cents": record.amount.cents,
                    "currency": record.amount.currency,
                    "received_on": record.received_on.isoformat(),
                    "source": sources[record.key],
                },
            )
            for record in records
        ]
    )


def payment_receive(
    *, case_id: int, amount: Money, received_on: date, key: str, source: str, reference: str = ""
) -> PaymentRecord:
    """Book money received on the client-money account for a case, allocated by the quote as of ``received_on``.

    ``source`` says where it came from (e.g. "bank", "ideal"), ``reference`` the debtor's payment reference.
    A quote input error (e.g. a claim dated before the interest table) is raised as the quote's ``QuoteError``.
    """
    payment = PaymentToReceive(case_id, amount, received_on, key, source, reference)
    return payments_receive(payments=[payment])[0]


@atomic
def payment_reverse(*, payment_key: str, key: str, booked_on: date, reason: str) -> LedgerTransaction:
    """Reverse a payment, e.g. a direct debit the bank returned (AC06, MD06, ...), with everything it booked.

    The stored allocation stays as history; the next quote leaves the payment out and allocates the case's
    remaining payments afresh. A receipt from the unmatched queue is reversed the same way while unassigned.
    """
    payment = LedgerTransaction.objects.filter(idempotency_key=payment_key, kind=TransactionKind.PAYMENT).first()
    if payment is None:
        raise LedgerError(f"there is no payment with key {payment_key!r}")
    case_id = PaymentAllocation.objects.filter(transaction=payment).values_list("case_id", flat=True).first()
    if case_id is not None:
        _case_locked(case_id)
    elif PaymentAllocation.objects.filter(from_unmatched=payment, transaction__reversed_by__isnull=True).exists():
        raise LedgerError(f"receipt {payment_key!r} is assigned to a case: reverse that payment first")
    return transaction_reverse(transaction=payment, key=key, booked_on=booked_on, reason=reason)


def unmatched_receive(*, amount: Money, received_on: date, key: str, reference: str) -> LedgerTransaction:
    """Book money that matched no case into suspense, to wait in the unmatched queue for finance."""
    return transactions_post(_unmatched_postings([UnmatchedToReceive(amount, received_on, key, reference)]))[0]


@atomic
def unmatched_receive_bulk(*, receipts: Sequence[UnmatchedToReceive]) -> list[int]:
    """Book many receipts into suspense (e.g. a statement chunk's) in a fixed number of queries, in order.

    Each is booked and idempotent per key exactly as :func:`unmatched_receive` would; one transaction per receipt
    (a key given twice returns its first). Any refusal books nothing of the call. Returns the transactions' ids,
    not model instances: a statement chunk books thousands.
    """
    return transactions_write(_unmatched_postings(receipts)) if receipts else []


def _unmatched_postings(receipts: Sequence[UnmatchedToReceive]) -> list[Posting]:
    for receipt in receipts:
        _positive(receipt.amount)
    if not receipts:
        return []
    accounts = account_ids_for([BANK, UNMATCHED])
    bank, unmatched = accounts[BANK], accounts[UNMATCHED]
    return [
        Posting(
            key=receipt.key,
            kind=TransactionKind.PAYMENT,
            booked_on=receipt.received_on,
            lines=[(bank, receipt.amount), (unmatched, -receipt.amount)],
            description=f"unmatched receipt {receipt.reference}".strip(),
            source_ref=receipt.reference,
        )
        for receipt in receipts
    ]


@atomic
def unmatched_assign(*, unmatched_key: str, case_id: int, key: str, booked_on: date) -> PaymentRecord:
    """Move a receipt from suspense into a payment to ``case_id``, allocated as of the day the money arrived."""
    receipt = (
        LedgerTransaction.objects.select_for_update()
        .filter(idempotency_key=unmatched_key, kind=TransactionKind.PAYMENT)
        .first()
    )
    if receipt is None:
        raise LedgerError(f"there is no receipt with key {unmatched_key!r}")
    cents = (
        Entry.objects.filter(transaction=receipt, account__kind=AccountKind.UNMATCHED, amount_cents__lt=0)
        .values_list("amount_cents", flat=True)
        .first()
    )
    if cents is None:
        raise LedgerError(f"{unmatched_key!r} is not an unmatched receipt")
    booking = Booking(
        case_id, Money(-cents), receipt.booked_on, booked_on, key, "unmatched", receipt.source_ref, UNMATCHED, receipt
    )
    replayed = payments_replayed([booking])
    if key in replayed:
        return replayed[key]
    if LedgerTransaction.objects.filter(reverses=receipt).exists():
        raise LedgerError(f"receipt {unmatched_key!r} was reversed")
    if PaymentAllocation.objects.filter(from_unmatched=receipt, transaction__reversed_by__isnull=True).exists():
        raise LedgerError(f"receipt {unmatched_key!r} is assigned already")
    record = payments_book([booking])[0]
    _payments_announce([record], {key: "unmatched"})
    return record


@atomic
def overpayment_refund(*, case_id: int, amount: Money, key: str, booked_on: date) -> LedgerTransaction:
    """Pay an overpayment back to the debtor of a case, at most what the case's refunds account owes."""
    _positive(amount)
    refunds = AccountKey(AccountKind.REFUNDS_PAYABLE, case_id=case_id)
    accounts = accounts_for([refunds, BANK])
    if not LedgerTransaction.objects.filter(idempotency_key=key).exists():
        _case_locked(case_id)
        owed = -account_balances(account_ids=[accounts[refunds].pk])[accounts[refunds].pk]
        if amount > owed:
            raise LedgerError(f"case {case_id} owes the debtor {owed}, not {amount}")
    return transaction_post(
        key=key,
        kind=TransactionKind.REFUND,
        booked_on=booked_on,
        lines=[(accounts[refunds], amount), (accounts[BANK], -amount)],
        description=f"refund of overpayment on case {case_id}",
    )
