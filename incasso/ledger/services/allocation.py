"""Booking payments to cases with their allocation by the quote: one set-based path for one payment or many.

A payment is allocated by the one quote (LEGAL.md §4) as of the day the money arrived, after the case's earlier
payments, and the allocation is stored with the payment. The bank money is then split among its owners: the
agency's share of the collection costs and of the interest (the client's commission terms) is agency revenue, the
rest is client money, and an overpayment is owed back to the debtor. The split passes through the case's
receivable (credited with what the payment settled, debited with the same amount charged to its owners), so the
receivable's turnover shows what each case paid off while its balance stays zero: the debt itself lives in the
quote, because interest changes it every day.

Many payments are booked in a fixed number of queries, so a statement of a hundred thousand entries is a few
hundred queries, not millions; each payment is allocated exactly as if it had been booked alone, in order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from django.db.models import F

from incasso.cases.models import Case
from incasso.cases.selectors import case_quote_requests
from incasso.core.bulk_insert import AnyOf, rows_insert
from incasso.domain.interest import InterestKind, RateTable
from incasso.domain.money import Money
from incasso.domain.quote import (
    AllocationLine,
    PaymentInput,
    PaymentOutcome,
    QuoteRequest,
    quote_calculate,
    quote_payment_outcomes,
)
from incasso.ledger.errors import IdempotencyConflict, LedgerError
from incasso.ledger.models import AccountKind, LedgerTransaction, PaymentAllocation, TransactionKind
from incasso.ledger.selectors import commission_timelines
from incasso.ledger.services.postings import AccountKey, Posting, account_ids_for, transactions_write
from incasso.ledger.shares import PaymentSplit, payment_split
from incasso.legal.services import interest_rate_tables

_ALLOCATION_COLUMNS = (
    "transaction_id",
    "case_id",
    "received_on",
    "amount_cents",
    "to_costs_cents",
    "to_interest_cents",
    "to_principal_cents",
    "overpayment_cents",
    "agency_costs_cents",
    "agency_interest_cents",
    "lines",
    "source",
    "reference",
    "from_unmatched_id",
)
REVENUE_COSTS = AccountKey(AccountKind.AGENCY_REVENUE_COSTS)
REVENUE_INTEREST = AccountKey(AccountKind.AGENCY_REVENUE_INTEREST)


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """A payment booked to a case and where it went. ``duplicate``: the key was booked before, nothing new was."""

    transaction_id: int
    key: str
    case_id: int
    received_on: date
    amount: Money
    to_costs: Money
    to_interest: Money
    to_principal: Money
    overpayment: Money
    lines: tuple[AllocationLine, ...]
    duplicate: bool = False

    @classmethod
    def of(cls, allocation: PaymentAllocation, *, key: str, duplicate: bool) -> PaymentRecord:
        lines = tuple(AllocationLine(line["claim"], line["part"], Money(line["cents"])) for line in allocation.lines)
        return cls(
            transaction_id=allocation.transaction_id,
            key=key,
            case_id=allocation.case_id,
            received_on=allocation.received_on,
            amount=Money(allocation.amount_cents),
            to_costs=Money(allocation.to_costs_cents),
            to_interest=Money(allocation.to_interest_cents),
            to_principal=Money(allocation.to_principal_cents),
            overpayment=Money(allocation.overpayment_cents),
            lines=lines,
            duplicate=duplicate,
        )


@dataclass(frozen=True, slots=True)
class Booking:
    """A payment to book: to which case, how much, the day it arrived and the day booked, from which account."""

    case_id: int
    amount: Money
    received_on: date
    booked_on: date
    key: str
    source: str
    reference: str
    debit: AccountKey
    from_unmatched: LedgerTransaction | None = None


def payments_replayed(bookings: Sequence[Booking]) -> dict[str, PaymentRecord]:
    """The payments booked before under these keys (one query); a key used for anything else is a conflict."""
    wanted = {booking.key: booking for booking in bookings}
    found: dict[str, PaymentRecord] = {}
    for existing in LedgerTransaction.objects.filter(AnyOf(F("idempotency_key"), list(wanted))).select_related(
        "allocation"
    ):
        booking, allocation = wanted[existing.idempotency_key], getattr(existing, "allocation", None)
        if allocation is None or (allocation.case_id, allocation.amount_cents) != (
            booking.case_id,
            booking.amount.cents,
        ):
            raise IdempotencyConflict(
                f"key {booking.key!r} was used for a different posting (transaction {existing.pk})"
            )
        found[booking.key] = PaymentRecord.of(allocation, key=booking.key, duplicate=True)
    return found


def _clients_locked(case_ids: set[int]) -> dict[int, int]:
    """Each case's client, with the case rows locked in key order: payments to one case are allocated one after
    another, and two writers locking several cases cannot deadlock."""
    rows = (
        Case.objects.select_for_update()
        .filter(AnyOf(F("pk"), sorted(case_ids)))
        .order_by("pk")
        .values_list("pk", "client_id")
    )
    clients = dict(rows)
    if missing := case_ids - clients.keys():
        raise LedgerError(f"there is no case {', '.join(str(case_id) for case_id in sorted(missing))}")
    return clients


def _outcomes(bookings: Sequence[Booking]) -> list[PaymentOutcome]:
    """Allocate each payment as if booked alone in this order: after the case's payments up to its day."""
    requests = case_quote_requests(
        case_ids={booking.case_id for booking in bookings}, as_of=max(booking.received_on for booking in bookings)
    )
    tables = interest_rate_tables()
    by_case: dict[int, list[int]] = {}
    for index, booking in enumerate(bookings):
        by_case.setdefault(booking.case_id, []).append(index)
    outcomes: list[PaymentOutcome | None] = [None] * len(bookings)
    for case_id, indices in by_case.items():  # in order of each case's first payment: the same first refusal
        request = requests.get(case_id)
        if request is None:
            raise LedgerError(f"case {case_id} has no claims to allocate a payment to")
        paid = [PaymentInput(bookings[index].received_on, bookings[index].amount) for index in indices]
        for index, outcome in zip(indices, case_payments_allocate(request, paid, tables), strict=True):
            outcomes[index] = outcome
    return [outcome for outcome in outcomes if outcome is not None]


def case_payments_allocate(
    request: QuoteRequest, payments: Sequence[PaymentInput], tables: Mapping[InterestKind, RateTable]
) -> list[PaymentOutcome]:
    """Where each of a case's new ``payments`` goes when booked one after the other in this order, each as of its
    own day after the case's payments up to that day (``request.payments``, the ledger's) and the new ones before
    it: as ``case_payments_allocate_one_by_one`` says, in one quote when that gives the same.

    It does when the new payments come in date order and none of the ledger's is dated after the first of them:
    then each payment's quote is a prefix of the one quote with them all, in the same order (the quote takes
    payments in date order, same date in input order), and what a payment gets depends only on what comes before
    it. A test compares the two on random cases. Otherwise (a payment booked with an earlier date than one booked
    before it) each is quoted on its own.
    """
    days = [payment.date for payment in payments]
    if days and days == sorted(days) and all(earlier.date <= days[0] for earlier in request.payments):
        ordered = (*sorted(request.payments, key=lambda p: p.date), *payments)
        # Only the payments' outcomes: the rest of the quote (what is outstanding) is not needed to book them.
        # Built directly: dataclasses.replace costs more than the rest of a one-claim quote's set-up.
        asked = QuoteRequest(request.interest, days[-1], request.claims, ordered, request.costs)
        outcomes = quote_payment_outcomes(asked, tables)
        return list(outcomes[len(request.payments) :])
    return case_payments_allocate_one_by_one(request, payments, tables)


def case_payments_allocate_one_by_one(
    request: QuoteRequest, payments: Sequence[PaymentInput], tables: Mapping[InterestKind, RateTable]
) -> list[PaymentOutcome]:
    """The definition: each payment quoted as of its day, after the ledger's and the earlier new payments up to
    that day, as the last payment of its day."""
    outcomes = []
    before: list[PaymentInput] = []
    for payment in payments:
        # The ledger's payments, then this call's: a stable sort by date keeps the order they were booked in.
        paid = [p for p in sorted((*request.payments, *before), key=lambda p: p.date) if p.date <= payment.date]
        # This payment is the last of its day, so its outcome is the last.
        dated = replace(request, as_of=payment.date, payments=(*paid, payment))
        outcomes.append(quote_calculate(dated, tables).payments[-1])
        before.append(payment)
    return outcomes


def _lines(booking: Booking, split: PaymentSplit, client_id: int) -> list[tuple[AccountKey, Money]]:
    """The posting's lines by account, zero lines left out (so no account is made that would stay empty).

    Worked out in cents (a statement chunk makes thousands): the same lines as the amounts would give."""
    case_id, currency = booking.case_id, booking.amount.currency
    overpayment = split.overpayment.cents
    settled = booking.amount.cents - overpayment
    receivable = AccountKey(AccountKind.RECEIVABLE, None, case_id)
    lines = [
        (booking.debit, booking.amount.cents),
        (receivable, -settled),
        (AccountKey(AccountKind.REFUNDS_PAYABLE, None, case_id), -overpayment),
        (receivable, settled),
        (REVENUE_COSTS, -split.agency_costs.cents),
        (REVENUE_INTEREST, -split.agency_interest.cents),
        (AccountKey(AccountKind.CLIENT_MONEY_PAYABLE, client_id, None), -split.client.cents),
    ]
    return [(key, Money(cents, currency)) for key, cents in lines if cents]


def _posting(booking: Booking, lines: list[tuple[AccountKey, Money]], accounts: dict[AccountKey, int]) -> Posting:
    description = f"payment {booking.reference}".strip()
    return Posting(
        booking.key,
        TransactionKind.PAYMENT,
        booking.booked_on,
        [(accounts[key], amount) for key, amount in lines],
        description,
        None,
        booking.source,
    )


def payments_book(bookings: Sequence[Booking]) -> list[PaymentRecord]:
    """Book payments whose keys are new (the caller took out replays), in about a dozen queries in all.

    Runs inside the caller's transaction; any refusal (no such case, a case without claims, a quote input error)
    raises and books nothing of the call.
    """
    clients = _clients_locked({booking.case_id for booking in bookings})
    outcomes = _outcomes(bookings)
    timelines = commission_timelines(client_ids=set(clients.values()))
    splits = [
        payment_split(
            to_costs=outcome.to_costs,
            to_interest=outcome.to_interest,
            to_principal=outcome.to_principal,
            overpayment=outcome.overpayment,
            rates=timelines[clients[booking.case_id]].on(booking.received_on),
        )
        for booking, outcome in zip(bookings, outcomes, strict=True)
    ]
    lines = [_lines(booking, split, clients[booking.case_id]) for booking, split in zip(bookings, splits, strict=True)]
    accounts = account_ids_for({key for booking_lines in lines for key, _ in booking_lines})
    posted = transactions_write(
        [_posting(booking, booking_lines, accounts) for booking, booking_lines in zip(bookings, lines, strict=True)],
        keys_new=True,  # the caller took the replays out
    )
    rows = [
        (
            transaction_id,
            booking.case_id,
            booking.received_on,
            booking.amount.cents,
            outcome.to_costs.cents,
            outcome.to_interest.cents,
            outcome.to_principal.cents,
            outcome.overpayment.cents,
            split.agency_costs.cents,
            split.agency_interest.cents,
            [{"claim": line.claim_id, "part": line.part, "cents": line.amount.cents} for line in outcome.lines],
            booking.source[:50],
            booking.reference[:140],
            booking.from_unmatched.pk if booking.from_unmatched is not None else None,
        )
        for booking, outcome, split, transaction_id in zip(bookings, outcomes, splits, posted, strict=True)
    ]
    rows_insert(PaymentAllocation, _ALLOCATION_COLUMNS, rows, returning=False)
    return [
        PaymentRecord(
            transaction_id,
            booking.key,
            booking.case_id,
            booking.received_on,
            booking.amount,
            outcome.to_costs,
            outcome.to_interest,
            outcome.to_principal,
            outcome.overpayment,
            outcome.lines,
        )
        for booking, outcome, transaction_id in zip(bookings, outcomes, posted, strict=True)
    ]
