"""Reading the next chunk of a statement while the current one is written, so the parse overlaps the database.

Parsing a chunk is Python and lxml; writing one mostly waits for the database (COPY, the ledger's triggers, the
commit), and a waiting thread leaves the interpreter to others. A thread that reads one chunk ahead lets the two
run at once on a machine with two cores. It touches no database and shares nothing but a queue of depth one:
the chunks still arrive, and are written, one at a time in file order, and an error while reading is raised
where the plain loop would have raised it, so an import does and fails exactly as it did without it.

A thread still holds the interpreter lock while it parses, so the parse competes with the writer's own Python
work (matching, the quotes, building rows): ``read_ahead_forked`` reads in a forked child process instead, which
runs on the other core, and sends each chunk through a pipe (pickled: a few milliseconds per thousand entries).
"""

from __future__ import annotations

import multiprocessing
import pickle
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
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


@contextmanager
def read_ahead_forked(items: Iterable[T]) -> Iterator[Iterator[T]]:
    """``items``, produced by a forked child process one item ahead of the caller (sent pickled through a pipe).

    A thread shares the interpreter lock with the caller, so a parse that is all Python competes with the caller's
    own Python work; a child process runs beside it on another core. The child is a fork: it inherits ``items``
    (the reader, its open stream) as they are and touches nothing else: no database, no file but its own stream.
    It leaves through ``os._exit`` (multiprocessing's fork start), so it runs none of the parent's clean-up and
    closes none of its connections. The items still arrive, and are written, one at a time in file order; an
    error while reading is raised where the plain loop would have raised it. The child is ended and reaped when
    the block ends, however it ends.
    """
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(
        target=_produce_into, args=(items, sending, receiving), name="statement-read-ahead", daemon=True
    )
    child.start()
    sending.close()  # the child's end: the parent keeps only its own, so a dead child reads as end-of-file

    def consume() -> Iterator[T]:
        while True:
            try:
                more, value = receiving.recv()
            except EOFError:
                raise RuntimeError("the statement reader stopped without a word (its process died)") from None
            if more:
                yield value
            elif value is None:
                return
            else:
                raise value

    try:
        yield consume()
    finally:
        receiving.close()  # a child blocked on sending meets a broken pipe and stops
        child.join(timeout=_POLL_SECONDS)
        if child.is_alive():
            child.terminate()
            child.join()
        child.close()


def _produce_into(items: Iterable[object], sending: Connection, parents_end: Connection) -> None:
    """The child's loop: every item, then ``(False, None)``; or the error it met, as ``(False, error)``.

    The child closes its copy of the parent's end first: else the pipe would stay open for reading in the child
    itself, and a child blocked on sending would never learn that the parent is gone (and live on, orphaned)."""
    parents_end.close()
    iterator = iter(items)
    try:
        while True:
            message: tuple[bool, object]
            try:
                message = (True, next(iterator))
            except StopIteration:
                message = (False, None)
            except BaseException as exc:  # handed to the parent, which raises it
                message = (False, _picklable(exc))
            try:
                sending.send(message)
            except OSError:
                return  # the parent stopped reading
            if not message[0]:
                return
    finally:
        sending.close()


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes, made on the line before
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
