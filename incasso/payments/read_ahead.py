"""Reading the next chunk of a statement in a forked child process while the current one is written.

``incasso.core.read_ahead`` reads ahead in a thread, but a thread holds the interpreter lock while it parses, so
the parse (Python and lxml) competes with the writer's own Python work (matching, the quotes, building rows):
``read_ahead_forked`` reads in a forked child process instead, which runs on the other core, and sends each chunk
through a pipe (pickled: a few milliseconds per thousand entries). The thread stays the fallback where fork is
not available.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import TypeVar

T = TypeVar("T")
_POLL_SECONDS = 0.1


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
