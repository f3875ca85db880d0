"""Turning a stream of rows into validated chunks, optionally in a second process.

Validation is pure Python and CPU-bound; writing is mostly the database's work. For a large file a forked child
process parses and validates chunk N+1 while this process writes chunk N, so both cores are busy (a thread would
not do: the two would take turns on the interpreter lock). The child never touches the database, so it works
inside an open transaction and on SQLite too. The pipe between the two holds about one chunk, so memory stays
bounded whatever the file size.

The child also seals the debtors it sees for the first time (``incasso.crypto.bulk``: a data key each, the personal
fields sealed, the blind indexes), the costliest part of writing a new debtor, which needs the settings' keys but no
database. The writer uses that work for each debtor it creates from exactly the row the child sealed, and seals any
other new debtor itself (a first row that was a duplicate, a file read without the child).
"""

from __future__ import annotations

import datetime
import gc
import multiprocessing
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.connection import Connection
from typing import Any

from incasso.crypto.bulk import SealedSubject, SubjectSealer
from incasso.intake.rows import ClaimRecord, ClaimRow, CreditRecord, DebtorRecord, Dialect, ImportFileError, RowError
from incasso.intake.validation import row_validate
from incasso.intake.writer import PresealedDebtors
from incasso.parties.sealing import INDEX_COLUMNS, debtors_sealer

# Debtor references the child remembers as sealed; past this it starts afresh (sealing some twice, in vain but
# harmlessly), so its memory stays bounded on any file.
SEALED_REMEMBERED = 2_000_000


@dataclass
class ValidatedChunk:
    claims: list[ClaimRecord] = field(default_factory=list)
    credits: list[CreditRecord] = field(default_factory=list)
    # Each rejected row's errors, in row order.
    rejected: list[list[RowError]] = field(default_factory=list)
    presealed: PresealedDebtors = field(default_factory=PresealedDebtors)


def chunk_validate(chunk: list[ClaimRow | RowError], dialect: Dialect) -> ValidatedChunk:
    validated = ValidatedChunk()
    for item in chunk:
        result = [item] if isinstance(item, RowError) else row_validate(item, dialect)
        if isinstance(result, ClaimRecord):
            validated.claims.append(result)
        elif isinstance(result, CreditRecord):
            validated.credits.append(result)
        else:
            validated.rejected.append(result)
    return validated


def chunk_debtors_seal(chunk: ValidatedChunk, sealer: SubjectSealer, sealed: set[str]) -> None:
    """Seal the debtor of the first claim of each reference in the chunk not in ``sealed`` (which is updated)."""
    first: dict[str, ClaimRecord] = {}
    for claim in chunk.claims:
        reference = claim.debtor.reference
        if reference not in sealed and reference not in first:
            first[reference] = claim
    if len(sealed) + len(first) > SEALED_REMEMBERED:
        sealed.clear()
    sealed.update(first)
    subjects = sealer.seal([claim.debtor for claim in first.values()])
    chunk.presealed = PresealedDebtors(
        sealer.master_version,
        {reference: (claim.row, subject) for (reference, claim), subject in zip(first.items(), subjects, strict=True)},
    )


def _chunks(rows: Iterable[ClaimRow | RowError], size: int) -> Iterator[list[ClaimRow | RowError]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def validated_chunks(
    rows: Iterable[ClaimRow | RowError], dialect: Dialect, chunk_size: int, *, in_child: bool = False
) -> Generator[ValidatedChunk, None, None]:
    """The rows in validated chunks of ``chunk_size``; with ``in_child`` the work is done by a forked process
    (where the platform can fork). Raises what reading the rows raises, e.g. ``ImportFileError``."""
    if in_child and "fork" in multiprocessing.get_all_start_methods():
        yield from _from_child(rows, dialect, chunk_size)
    else:
        for chunk in _chunks(rows, chunk_size):
            yield chunk_validate(chunk, dialect)


# What crosses the pipe: each claim as one string of its fields joined by the ASCII unit separator, which pickles
# many times faster than named tuples holding dates (this is on the critical path of a million-row import). A claim
# whose text itself holds the separator travels as a plain tuple instead.
SEPARATOR = "\x1f"
_FIELDS = len(ClaimRecord._fields) - 1 + len(DebtorRecord._fields)
# A sealed debtor travels as its reference, its row, its key id, sealed values and index entries joined (all of them
# base64, hex or empty, so never holding the separator; an empty sealed value is restored from the row's own) and
# its wrapped key.
_INDEXES = len(INDEX_COLUMNS)
_Sealed = tuple[str, list[tuple[str, int, str, bytes]]]
_Wire = tuple[list[str | ClaimRecord], list[CreditRecord], list[list[RowError]], _Sealed]


def _encode(chunk: ValidatedChunk) -> _Wire:
    claims: list[str | ClaimRecord] = []
    for claim in chunk.claims:
        debtor = claim.debtor
        text = SEPARATOR.join(
            (
                str(claim.row),
                claim.invoice_number,
                str(claim.invoice_date.toordinal()),
                str(claim.due_date.toordinal()),
                str(claim.principal_cents),
                claim.currency,
                claim.description,
                claim.interest or "",
                claim.limitation_kind,
                *debtor[:5],
                str(debtor.date_of_birth.toordinal()) if debtor.date_of_birth else "",
                *debtor[6:],
            )
        )
        claims.append(text if text.count(SEPARATOR) == _FIELDS - 1 else claim)
    presealed = chunk.presealed
    sealed = [
        (
            reference,
            row,
            SEPARATOR.join((subject.key_id, *(value or "" for value in subject.sealed), *subject.indexes)),
            subject.wrapped_key,
        )
        for reference, (row, subject) in presealed.by_reference.items()
    ]
    return claims, chunk.credits, chunk.rejected, (presealed.master_version, sealed)


def _decode(wire: _Wire) -> ValidatedChunk:
    # Dates by their ordinal's text, each made once per chunk; records built with ``tuple.__new__`` (what a named
    # tuple's own constructor ends in, without its argument handling): this runs for every claim.
    days: dict[str, datetime.date] = {}

    def day(text: str) -> datetime.date:
        found = days.get(text)
        if found is None:
            found = days[text] = datetime.date.fromordinal(int(text))
        return found

    make = tuple.__new__
    claims = []
    for item in wire[0]:
        if not isinstance(item, str):
            claims.append(item)
            continue
        f: list[Any] = item.split(SEPARATOR)
        debtor_values = f[9:]
        debtor_values[5] = day(f[14]) if f[14] else None
        debtor = make(DebtorRecord, debtor_values)
        claims.append(
            make(
                ClaimRecord,
                (int(f[0]), f[1], day(f[2]), day(f[3]), int(f[4]), f[5], f[6], f[7] or None, debtor, f[8]),
            )
        )
    master_version, sealed = wire[3]
    by_reference = {}
    for reference, row, text, wrapped in sealed:
        key_id, *values = text.split(SEPARATOR)
        count = len(values) - _INDEXES
        by_reference[reference] = (row, SealedSubject(key_id, wrapped, tuple(values[:count]), tuple(values[count:])))
    presealed = PresealedDebtors(master_version, by_reference)
    return ValidatedChunk(claims=claims, credits=wire[1], rejected=wire[2], presealed=presealed)


def _child(rows: Iterable[ClaimRow | RowError], dialect: Dialect, chunk_size: int, out: Connection) -> None:
    gc.disable()  # see incasso.core.collector; this process ends with the import
    try:
        sealer = debtors_sealer(DebtorRecord._fields)
        sealed: set[str] = set()
        for chunk in _chunks(rows, chunk_size):
            validated = chunk_validate(chunk, dialect)
            chunk_debtors_seal(validated, sealer, sealed)
            out.send(("chunk", _encode(validated)))
        out.send(("done", None))
    except ImportFileError as error:
        out.send(("file_error", (error.field, error.message, error.params, error.code)))
    except BaseException as error:  # reported to the parent, which raises it there
        out.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        out.close()


def _from_child(rows: Iterable[ClaimRow | RowError], dialect: Dialect, chunk_size: int) -> Iterator[ValidatedChunk]:
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(rows, dialect, chunk_size, send), daemon=True)
    process.start()
    send.close()
    try:
        while True:
            try:
                kind, payload = receive.recv()
            except EOFError:
                raise RuntimeError("the validating process stopped unexpectedly") from None
            if kind == "chunk":
                yield _decode(payload)
            elif kind == "done":
                return
            elif kind == "file_error":
                field_name, message, params, code = payload
                raise ImportFileError(str(field_name), str(message), tuple(params), code=str(code))
            else:
                raise RuntimeError(f"validating the rows failed: {payload}")
    finally:
        receive.close()
        if process.is_alive():
            process.terminate()
        process.join()
