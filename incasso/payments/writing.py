"""Writing one chunk of a statement: duplicates out, matching, ledger bookings and the insert, in one transaction.

The entries and their bookings commit together or not at all, so an entry is stored exactly when its money is
booked: a crash between chunks leaves whole chunks, and importing the file again books only what is missing.
The database work is a fixed number of queries per chunk (existing keys, the matching lookups, one insert); the
ledger is called through its services, its only way in: once for the chunk's payments, once for its unmatched
receipts, and once per return (``booking.planned_book_chunk``).

The fast path books without a savepoint per entry. If the ledger refuses anything, the chunk is rolled back and
done again entry by entry (``planned_book_carefully``), so one refused entry costs its chunk a second pass
instead of every entry a savepoint.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from incasso.core.bulk_insert import AnyOf, rows_insert
from incasso.payments.booking import Ledger, Planned, planned_book_carefully, planned_book_chunk
from incasso.payments.matching import NO_HINTS, Hints, chunk_decide
from incasso.payments.models import StatementEntry
from incasso.payments.parsers.records import ParsedEntry, SkippedEntry

# A concurrent import of the same file may insert a key between our read and our insert: the unique index
# refuses it, the chunk (bookings included) rolls back and is tried again, now seeing those keys as duplicates.
ATTEMPTS = 3

COLUMNS = (
    "statement_import_id",
    "entry_key",
    "position",
    "account_iban",
    "booking_date",
    "value_date",
    "amount_cents",
    "currency",
    "counterparty_name",
    "counterparty_iban",
    "remittance",
    "structured_reference",
    "end_to_end_id",
    "mandate_id",
    "bank_reference",
    "return_reason",
    "status",
    "match_rule",
    "case_id",
    "ledger_key",
    "original_entry_id",
    "note",
    "created_at",
)


@dataclass
class ChunkOutcome:
    statuses: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    # Entries the ledger refused as matching decided them: stored as unmatched, reported with the reason.
    refused: list[SkippedEntry] = field(default_factory=list)


class _FastPathFailed(Exception):
    """The ledger refused a booking on the fast path: redo the chunk entry by entry."""


def chunk_write(
    *,
    import_id: int,
    entries: list[tuple[str, ParsedEntry]],
    book: Ledger,
    hints: Hints = NO_HINTS,
) -> ChunkOutcome:
    """Store and book ``entries`` — (entry key, entry) pairs — all together or not at all. ``hints``: what the
    reader worked out already for matching (``matching.Hints``)."""
    careful = False
    conflicts = 0
    while True:
        try:
            with transaction.atomic():
                return _chunk_write(import_id, entries, book, hints, careful=careful)
        except _FastPathFailed:
            careful = True
        except IntegrityError:
            conflicts += 1
            if conflicts >= ATTEMPTS:
                raise


def _chunk_write(
    import_id: int,
    entries: list[tuple[str, ParsedEntry]],
    book: Ledger,
    hints: Hints,
    *,
    careful: bool,
) -> ChunkOutcome:
    outcome = ChunkOutcome()
    keys = [key for key, _ in entries]
    existing = set(StatementEntry.objects.filter(AnyOf(F("entry_key"), keys)).values_list("entry_key", flat=True))
    new = [(key, entry) for key, entry in entries if key not in existing]
    outcome.duplicates = len(entries) - len(new)
    decisions = chunk_decide(new, hints)
    planned = [Planned(key, entry, decision) for (key, entry), decision in zip(new, decisions, strict=True)]
    if careful:
        booked = [planned_book_carefully(item, book) for item in planned]
    else:
        try:
            booked = planned_book_chunk(planned, book)
        except Exception as exc:  # any refusal: the careful pass finds out which entries and why
            raise _FastPathFailed from exc
    now = timezone.now()
    rows = []
    for item in booked:
        if item.refusal:
            outcome.refused.append(SkippedEntry(item.entry.index, item.refusal))
        entry, decision = item.entry, item.decision
        outcome.statuses[decision.status] += 1
        rows.append(
            (
                import_id,
                item.key,
                entry.index,
                entry.account,
                entry.booking_date,
                entry.value_date,
                entry.amount_cents,
                entry.currency,
                entry.counterparty_name,
                entry.counterparty_iban,
                entry.remittance,
                entry.structured_reference,
                entry.end_to_end_id,
                entry.mandate_id,
                entry.bank_reference,
                entry.return_reason,
                decision.status.value,
                str(decision.rule),
                decision.case_id,
                item.ledger_key,
                decision.original_key,
                decision.note[:255],
                now,
            )
        )
    rows_insert(StatementEntry, COLUMNS, rows, returning=False)
    return outcome
