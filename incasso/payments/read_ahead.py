"""Reading the next chunk of a statement while the current one is written, so the parse overlaps the database.

Parsing a chunk is Python and lxml; writing one mostly waits for the database (COPY, the ledger's triggers, the
commit), and a waiting thread leaves the interpreter to others. A thread that reads one chunk ahead lets the two
run at once on a machine with two cores. It touches no database and shares nothing but a queue of depth one:
the chunks still arrive, and are written, one at a time in file order, and an error while reading is raised
where the plain loop would have raised it, so an import does and fails exactly as it did without it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from queue import Full, Queue
from typing import TypeVar

T = TypeVar("T")
_POLL_SECONDS = 0.1


@contextmanager
def read_ahead(items: Iterable[T], depth: int = 1) -> Iterator[Iterator[T]]:
    """``items``, produced by a thread up to ``depth`` ahead of the caller; the thread is stopped and joined when
    the block ends, however it ends (a producer blocked on a full queue notices within ``_POLL_SECONDS``)."""
    queue: Queue[tuple[bool, T | BaseException | None]] = Queue(maxsize=depth)
    stop = threading.Event()

    def put(message: tuple[bool, T | BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                queue.put(message, timeout=_POLL_SECONDS)
            except Full:
                continue
            return True
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((True, item)):
                    return
        except BaseException as exc:  # handed to the consumer, which raises it
            put((False, exc))
            return
        put((False, None))

    def consume() -> Iterator[T]:
        while True:
            more, value = queue.get()
            if more:
                yield value  # type: ignore[misc]  # an item whenever ``more``
            elif value is None:
                return
            else:
                raise value  # type: ignore[misc]  # the producer's exception

    thread = threading.Thread(target=produce, name="statement-read-ahead", daemon=True)
    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        thread.join()
