"""Writes of the payments app: importing a bank statement, and finance matching an entry by hand (C-9).

``statement_import`` is the one way a statement gets in (the CLI, and later the back office's upload, call it).
It reads the file as a stream in chunks; each chunk is stored and booked in one transaction (``writing``), so a
statement of any size never holds one huge transaction or all its entries in memory. The file is read one chunk
ahead in a forked child process (``read_ahead``), with each entry's key and the case numbers it names, so the
parse runs beside the writing instead of competing with it for the interpreter.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import BinaryIO

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incasso.cases.models import Case
from incasso.core.collector import cyclic_gc_paused
from incasso.core.read_ahead import read_ahead
from incasso.domain.money import Money
from incasso.parties.selectors import debtor_index_entry
from incasso.payments import booking
from incasso.payments.matching import Hints, ledger_key
from incasso.payments.models import EntryStatus, ImportStatus, MatchRule, StatementEntry, StatementImport
from incasso.payments.parsers import (
    CamtReader,
    Mt940Reader,
    ParsedEntry,
    SkippedEntry,
    StatementFileError,
    StatementInfo,
    statement_reader,
)
from incasso.payments.read_ahead import read_ahead_forked
from incasso.payments.references import NOTHING_NAMED, EntryKeys, NamedCases, named_cases, return_reason_text
from incasso.payments.writing import ChunkOutcome, chunk_write

CHUNK_SIZE = 5_000
BLOCK = 1 << 20
# What the reader hands the writer per chunk: the file's info so far, its skipped records, its keyed entries, the
# case numbers its credits name (by entry key) and the blind-index entries of its credits' IBANs (by IBAN): pure
# work, done beside the writing in the reader's process.
_Chunk = tuple[
    StatementInfo, list[SkippedEntry], list[tuple[str, tuple[object, ...]]], dict[str, NamedCases], dict[str, str]
]


@dataclass
class StatementSummary:
    """What an import did. ``entries`` counts every entry read; each is matched, unmatched, returned, ignored or
    a duplicate of one imported before. Skipped entries (unreadable, or not booked by the bank yet) are apart."""

    import_id: int
    file_format: str = ""
    account: str = ""
    entries: int = 0
    matched: int = 0
    unmatched: int = 0
    returned: int = 0
    ignored: int = 0
    duplicates: int = 0
    skipped_count: int = 0
    skipped: list[SkippedEntry] = field(default_factory=list)
    # Entries the ledger refused as matched (kept as unmatched, with the reason as their note): e.g. CHF.
    refused: list[SkippedEntry] = field(default_factory=list)

    def add(self, outcome: ChunkOutcome) -> None:
        self.matched += outcome.statuses[EntryStatus.MATCHED]
        self.unmatched += outcome.statuses[EntryStatus.UNMATCHED]
        self.returned += outcome.statuses[EntryStatus.RETURNED]
        self.ignored += outcome.statuses[EntryStatus.IGNORED]
        self.duplicates += outcome.duplicates
        self.entries += sum(outcome.statuses.values()) + outcome.duplicates
        room = StatementImport.SKIPPED_KEPT - len(self.refused)
        self.refused.extend(outcome.refused[: max(room, 0)])

    def skip(self, skipped: SkippedEntry) -> None:
        self.skipped_count += 1
        if len(self.skipped) < StatementImport.SKIPPED_KEPT:
            self.skipped.append(skipped)

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {
            "entries": self.entries,
            "matched": self.matched,
            "unmatched": self.unmatched,
            "returned": self.returned,
            "ignored": self.ignored,
            "duplicates": self.duplicates,
            "skipped": [{"entry": item.index, "reason": item.reason} for item in self.skipped],
        }
        if self.skipped_count > len(self.skipped):
            body["skipped_count"] = self.skipped_count
        if self.refused:
            body["refused_by_ledger"] = [{"entry": item.index, "reason": item.reason} for item in self.refused]
        return body


def statement_import(*, stream: BinaryIO, filename: str, chunk_size: int = CHUNK_SIZE) -> StatementSummary:
    """Import a camt.053/camt.052/camt.054 or MT940 file (told apart by content): store, match and book every entry.

    ``stream`` must be seekable (it is read once to hash it, then again to import it). Raises
    ``StatementFileError`` when the file cannot be read at all: then nothing was booked, and the refusal is
    recorded as a ``StatementImport``. Importing the same file again books nothing twice: its entries come back
    as duplicates.
    """
    record = StatementImport.objects.create(filename=filename[:255], sha256=_sha256(stream))
    summary = StatementSummary(import_id=record.pk)
    info = StatementInfo()
    try:
        reader = statement_reader(stream)
        info = reader.info
        book = booking.ledger()
        with cyclic_gc_paused(), _read_ahead(_keyed_chunks(reader, chunk_size)) as chunks:
            for known, skipped, fields, named, iban_indexes in chunks:
                info = known
                for item in skipped:
                    summary.skip(item)
                if fields:
                    entries = [(key, ParsedEntry._make(values)) for key, values in fields]
                    hints = Hints(named, iban_indexes)
                    summary.add(chunk_write(import_id=record.pk, entries=entries, book=book, hints=hints))
                gc.collect(0)  # whatever cycles the chunk left: memory stays bounded by a chunk
    except StatementFileError as error:
        _finish(record, summary, info, ImportStatus.REFUSED, error.message)
        raise
    except BaseException as error:
        _finish(record, summary, info, ImportStatus.FAILED, f"{type(error).__name__}: {error}")
        raise
    _finish(record, summary, info, ImportStatus.DONE)
    return summary


def _sha256(stream: BinaryIO) -> str:
    hasher = hashlib.sha256()
    while block := stream.read(BLOCK):
        hasher.update(block)
    stream.seek(0)
    return hasher.hexdigest()


def _read_ahead(chunks: Iterable[_Chunk]) -> AbstractContextManager[Iterator[_Chunk]]:
    """The chunks read one ahead in a child process where the system can fork one (the parse then runs on another
    core than the writing), else in a thread (also inside a daemonic process, which may not have children)."""
    if "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon:
        return read_ahead_forked(chunks)
    return read_ahead(chunks)


def _keyed_chunks(reader: CamtReader | Mt940Reader, size: int) -> Iterator[_Chunk]:
    """The file in chunks of ``size`` records: what is known of the file so far (``info``: read in the reader's
    process, it travels with each chunk), the skipped records, the others with their keys (in file order, each
    entry as a plain tuple: ``ParsedEntry._make`` turns it back), and what matching needs of the credits that is
    worked out from their text alone (``matching.Hints``): the cases they name, and the IBAN's blind-index entry
    of those that name none (the others are nearly always matched by the case they name; the writer works out
    the few it still needs)."""
    iterator = iter(reader)
    keys = EntryKeys()
    while chunk := list(islice(iterator, size)):
        skipped, named, iban_indexes = [], {}, {}
        entries: list[tuple[str, tuple[object, ...]]] = []
        for item in chunk:
            if isinstance(item, SkippedEntry):
                skipped.append(item)
            else:
                key = keys.key(item)
                entries.append((key, tuple(item)))
                if item.amount_cents > 0:
                    named[key] = found = named_cases(item)
                    iban = item.counterparty_iban
                    if iban and found is NOTHING_NAMED and iban not in iban_indexes:
                        iban_indexes[iban] = debtor_index_entry("iban_index", iban)
        yield _info(reader), skipped, entries, named, iban_indexes
        gc.collect(0)  # the reader's cycles, in whichever process reads (the collector is paused there too)
    yield _info(reader), [], [], {}, {}  # the info complete: the file's last lines may come after its last entry


def _info(reader: CamtReader | Mt940Reader) -> StatementInfo:
    return replace(reader.info, accounts=set(reader.info.accounts))


def _finish(
    record: StatementImport, summary: StatementSummary, info: StatementInfo, status: ImportStatus, error: str = ""
) -> None:
    summary.file_format, summary.account = info.file_format, info.account
    record.file_format = info.file_format
    record.account_iban = info.account
    record.statement_id = info.statement_id
    record.status = status
    record.error = error
    record.entry_count = summary.entries
    record.matched_count = summary.matched
    record.unmatched_count = summary.unmatched
    record.returned_count = summary.returned
    record.ignored_count = summary.ignored
    record.duplicate_count = summary.duplicates
    record.skipped_count = summary.skipped_count
    record.skipped = [{"entry": item.index, "reason": item.reason} for item in summary.skipped]
    record.finished_at = timezone.now()
    record.save()


@transaction.atomic
def entry_match_by_hand(*, entry: StatementEntry, case: Case, actor: User) -> StatementEntry:
    """Finance puts an unmatched entry on ``case``.

    A credit moves from the unmatched-payments account to the case (``unmatched_assign``); a return whose payment
    was not recognised reverses the newest unreturned payment of the same amount on that case.
    """
    locked = StatementEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.status != EntryStatus.UNMATCHED:
        raise ValidationError(
            _("Only an unmatched entry can be matched by hand; this one is %(status)s."),
            code="not_unmatched",
            params={"status": locked.get_status_display()},
        )
    if locked.amount_cents > 0:
        if not locked.ledger_key:
            raise ValidationError(
                _("This payment was never booked in the ledger (%(note)s); it cannot be matched here."),
                code="not_booked",
                params={"note": locked.note},
            )
        assign_key = f"stmt-assign:{locked.entry_key}"
        booking.ledger().unmatched_assign(
            unmatched_key=locked.ledger_key, case_id=case.pk, key=assign_key, booked_on=timezone.localdate()
        )
        locked.status, locked.ledger_key = EntryStatus.MATCHED, assign_key
    else:
        original = _payment_to_return(locked, case)
        key = ledger_key(locked.entry_key)
        reason = return_reason_text(locked.return_reason) if locked.return_reason else "matched by hand"
        booking.ledger().payment_reverse(
            payment_key=original.ledger_key, key=key, booked_on=locked.booking_date, reason=f"returned: {reason}"
        )
        locked.status, locked.ledger_key, locked.original_entry = EntryStatus.RETURNED, key, original
    locked.case = case
    locked.match_rule = MatchRule.HAND
    locked.matched_by = actor
    locked.matched_at = timezone.now()
    locked.note = ""
    locked.save()
    return locked


def _payment_to_return(entry: StatementEntry, case: Case) -> StatementEntry:
    original = (
        # of=("self",): PostgreSQL locks no row on the nullable side of the join that return_entry needs.
        StatementEntry.objects.select_for_update(of=("self",))
        .filter(
            case=case,
            status=EntryStatus.MATCHED,
            amount_cents=-entry.amount_cents,
            currency=entry.currency,
            return_entry__isnull=True,
        )
        .order_by("-booking_date", "-pk")
        .first()
    )
    if original is None:
        raise ValidationError(
            _("Case %(case)s has no payment of %(amount)s that this return could reverse."),
            code="no_payment_to_return",
            params={"case": case.number, "amount": str(Money(-entry.amount_cents, entry.currency))},
        )
    return original
