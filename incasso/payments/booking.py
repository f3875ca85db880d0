"""Booking entries in the ledger, through the ledger's own services and nothing else.

The ledger (``incasso.ledger``) is its own bounded context: the only way money moves there is its services, each
idempotent by key. Every booking an entry makes uses a key derived from the entry's key (``ledger_key``), so an
entry can never book twice, whatever happens to the import around it.

A chunk is booked set-based (``planned_book_chunk``): its matched credits in one ``payments_receive`` call and
its unmatched credits in one ``unmatched_receive_bulk`` call, each booked and allocated exactly as one by one in
file order. Returns are rare and booked one by one, in their place: the payments before a return to the same case
are booked first, because reversing a payment changes how the case's later payments are allocated.

``ledger()`` is the one place the ledger module is looked up, so a test can put a recording stand-in there; a
stand-in that offers only the one-by-one services is booked one entry at a time.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from django.db import transaction

from incasso.domain.money import Money
from incasso.ledger.services import PaymentToReceive, UnmatchedToReceive
from incasso.payments.matching import Decision, ledger_key
from incasso.payments.models import EntryStatus
from incasso.payments.parsers.records import ParsedEntry
from incasso.payments.references import return_reason_text

SOURCE = "bank"
REFERENCE_LENGTH = 140


class Ledger(Protocol):
    """The ledger services statement import books through (``incasso.ledger.services``)."""

    def payment_receive(
        self, *, case_id: int, amount: Money, received_on: datetime.date, key: str, source: str, reference: str = ""
    ) -> object: ...

    def payment_reverse(self, *, payment_key: str, key: str, booked_on: datetime.date, reason: str) -> object: ...

    def unmatched_receive(self, *, amount: Money, received_on: datetime.date, key: str, reference: str) -> object: ...

    def unmatched_assign(self, *, unmatched_key: str, case_id: int, key: str, booked_on: datetime.date) -> object: ...


@runtime_checkable
class BulkLedger(Ledger, Protocol):
    """A ledger that also books many payments and receipts in one call each (``incasso.ledger.services``)."""

    def payments_receive(self, *, payments: Sequence[PaymentToReceive]) -> Sequence[object]: ...

    def unmatched_receive_bulk(self, *, receipts: Sequence[UnmatchedToReceive]) -> Sequence[object]: ...


def ledger() -> Ledger:
    from incasso.ledger import services

    return services


@dataclass(frozen=True, slots=True)
class Planned:
    """An entry to store, with what matching decided and, once booked, the key of its ledger transaction."""

    key: str
    entry: ParsedEntry
    decision: Decision
    ledger_key: str = ""
    # Why the ledger refused what matching decided (the entry is then stored as unmatched, with this as its note).
    refusal: str = ""


def entry_reference(entry: ParsedEntry) -> str:
    """What the ledger shows as the payment's reference: the one a person recognises first."""
    text = entry.structured_reference or entry.remittance or entry.end_to_end_id or entry.bank_reference
    return text[:REFERENCE_LENGTH]


def planned_book(planned: Planned, book: Ledger) -> Planned:
    """Make the booking ``planned`` stands for; raises whatever the ledger raises."""
    entry, decision = planned.entry, planned.decision
    key = ledger_key(planned.key)
    amount = Money(abs(entry.amount_cents), entry.currency)
    if decision.status == EntryStatus.MATCHED and decision.case_id is not None:
        book.payment_receive(
            case_id=decision.case_id,
            amount=amount,
            received_on=entry.booking_date,
            key=key,
            source=SOURCE,
            reference=entry_reference(entry),
        )
    elif decision.status == EntryStatus.UNMATCHED and entry.amount_cents > 0:
        book.unmatched_receive(amount=amount, received_on=entry.booking_date, key=key, reference=entry_reference(entry))
    elif decision.status == EntryStatus.RETURNED:
        reason = f"returned by the bank: {return_reason_text(entry.return_reason)}" if entry.return_reason else ""
        book.payment_reverse(
            payment_key=decision.original_ledger_key,
            key=key,
            booked_on=entry.booking_date,
            reason=reason or "returned by the bank",
        )
    else:
        # Ignored debits, and returns of payments we do not know: nothing of ours moved.
        return planned
    return replace(planned, ledger_key=key)


def planned_book_chunk(planned: Sequence[Planned], book: Ledger) -> list[Planned]:
    """Make the bookings of a chunk's entries, as ``planned_book`` of each in order would; raises what the ledger
    raises, and then the chunk is to be rolled back (nothing says which entry was refused).

    Matched credits go in one ``payments_receive`` call and unmatched credits in one ``unmatched_receive_bulk``
    call, a fixed number of queries for the chunk. A return is booked by itself in its place; only when a payment
    before it in the chunk goes to the return's case are the bookings gathered so far made first (a reversal
    changes the allocation of the case's later payments, nothing else), so a chunk without such a return makes
    one call of each kind.
    """
    if not isinstance(book, BulkLedger):
        return [planned_book(item, book) for item in planned]
    booked = list(planned)
    payments: list[tuple[int, PaymentToReceive]] = []
    receipts: list[tuple[int, UnmatchedToReceive]] = []
    pending_cases: set[int] = set()

    def flush() -> None:
        if payments:
            book.payments_receive(payments=[payment for _, payment in payments])
        if receipts:
            book.unmatched_receive_bulk(receipts=[receipt for _, receipt in receipts])
        made = [(index, payment.key) for index, payment in payments]
        made += [(index, receipt.key) for index, receipt in receipts]
        for index, key in made:
            item = booked[index]  # built directly: dataclasses.replace costs more than the booking, per entry
            booked[index] = Planned(item.key, item.entry, item.decision, key, item.refusal)
        payments.clear()
        receipts.clear()
        pending_cases.clear()

    for index, item in enumerate(planned):
        entry, decision = item.entry, item.decision
        key = ledger_key(item.key)
        amount = Money(abs(entry.amount_cents), entry.currency)
        if decision.status == EntryStatus.MATCHED and decision.case_id is not None:
            reference = entry_reference(entry)
            payments.append(
                (index, PaymentToReceive(decision.case_id, amount, entry.booking_date, key, SOURCE, reference))
            )
            pending_cases.add(decision.case_id)
        elif decision.status == EntryStatus.UNMATCHED and entry.amount_cents > 0:
            receipts.append((index, UnmatchedToReceive(amount, entry.booking_date, key, entry_reference(entry))))
        elif decision.status == EntryStatus.RETURNED:
            if decision.case_id is None or decision.case_id in pending_cases:
                flush()
            booked[index] = planned_book(item, book)
    flush()
    return booked


def planned_book_carefully(planned: Planned, book: Ledger) -> Planned:
    """Book one entry in its own savepoint; when the ledger refuses, fall back to the unmatched queue.

    Used only after a chunk's fast path failed, to find the entries the ledger refuses and keep the rest. The
    ledger refuses with ``ValueError`` (bad input: a currency it does not keep, a case without claims, a payment
    already reversed); anything else is a failure of the import itself and is raised. A payment the ledger will
    not put on its case is parked as unmatched; what it will not book at all is stored unmatched and unbooked,
    with the reason, for finance — it is in the queue and the summary, and the next import does not retry it.
    """
    try:
        with transaction.atomic():
            return planned_book(planned, book)
    except ValueError as exc:
        why = _refusal(exc)
    unmatched = Decision(EntryStatus.UNMATCHED, note=why)
    if planned.decision.status == EntryStatus.MATCHED:
        try:
            with transaction.atomic():
                return replace(planned_book(replace(planned, decision=unmatched), book), refusal=why)
        except ValueError as exc:
            why = f"{why}; parking it as unmatched: {_refusal(exc)}"
    return replace(planned, decision=Decision(EntryStatus.UNMATCHED, note=f"not booked: {why}"), refusal=why)


def _refusal(exc: ValueError) -> str:
    return f"the ledger refused it ({exc})"[:200]
