"""Turning a stream of rows into validated chunks, optionally in a second process.

Validation is pure Python and CPU-bound; writing is mostly the database's work. For a large file a forked child
process parses and validates chunk N+1 while this process writes chunk N, so both cores are busy (a thread would
not do: the two would take turns on the interpreter lock). The child never touches the database, so it works
inside an open transaction and on SQLite too. The pipe between the two holds about one chunk, so memory stays
bounded whatever the file size.
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

from incasso.intake.rows import ClaimRecord, ClaimRow, CreditRecord, DebtorRecord, Dialect, ImportFileError, RowError
from incasso.intake.validation import row_validate


@dataclass
class ValidatedChunk:
    claims: list[ClaimRecord] = field(default_factory=list)
    credits: list[CreditRecord] = field(default_factory=list)
    # Each rejected row's errors, in row order.
    rejected: list[list[RowError]] = field(default_factory=list)


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
_Wire = tuple[list[str | ClaimRecord], list[CreditRecord], list[list[RowError]]]


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
    return claims, chunk.credits, chunk.rejected


def _decode(wire: _Wire) -> ValidatedChunk:
    day = datetime.date.fromordinal
    claims = []
    for item in wire[0]:
        if not isinstance(item, str):
            claims.append(item)
            continue
        f = item.split(SEPARATOR)
        debtor = DebtorRecord(
            f[9],
            f[10],
            f[11],
            f[12],
            f[13],
            day(int(f[14])) if f[14] else None,
            *f[15:],
        )
        claims.append(
            ClaimRecord(
                int(f[0]), f[1], day(int(f[2])), day(int(f[3])), int(f[4]), f[5], f[6], f[7] or None, debtor, f[8]
            )
        )
    return ValidatedChunk(claims=claims, credits=wire[1], rejected=wire[2])


def _child(rows: Iterable[ClaimRow | RowError], dialect: Dialect, chunk_size: int, out: Connection) -> None:
    gc.disable()  # see incasso.core.collector; this process ends with the import
    try:
        for chunk in _chunks(rows, chunk_size):
            out.send(("chunk", _encode(chunk_validate(chunk, dialect))))
        out.send(("done", None))
    except ImportFileError as error:
        out.send(("file_error", (error.field, error.message)))
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
                field_name, message = _pair(payload)
                raise ImportFileError(field_name, message)
            else:
                raise RuntimeError(f"validating the rows failed: {payload}")
    finally:
        receive.close()
        if process.is_alive():
            process.terminate()
        process.join()


def _pair(payload: Any) -> tuple[str, str]:
    field_name, message = payload
    return str(field_name), str(message)
