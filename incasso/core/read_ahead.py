"""Computing the next item of an iterator in another thread while the caller works on the current one, and doing
every second item's work in another thread while the caller does the next.

``read_ahead``: while the caller writes a chunk (mostly waiting for the database), the thread reads the next: a
statement import parses the next chunk of the file, the retention sweep reads the next expired subjects. The two
overlap on two cores instead of taking turns. Items still arrive one at a time in order, and an error while reading
is raised where the plain loop would have raised it.

``alternating``: a job whose chunks are independent transactions (the retention sweep's) writes two at a time, on
two connections, so the database works on both cores while each connection waits for its statements.

``beside``: one piece of pure work (no queries) done in a thread while the caller sends its statements, e.g. the
intake's audit entries encoded while PostgreSQL takes the chunk's claims.

A thread that queries has its own database connection (Django's are per thread), closed when it ends; it sees
committed data only, so the caller must not be inside a transaction whose rows the thread needs.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from django.db import connections

T = TypeVar("T")
R = TypeVar("R")
_DONE = object()
_POLL_SECONDS = 0.1


@contextmanager
def read_ahead(items: Iterable[T], *, depth: int = 1) -> Iterator[Iterator[T]]:
    """The items of ``items``, at most ``depth`` of them computed ahead in a thread of their own. An exception in
    the thread is raised in the caller at the item it stopped at; leaving the block early (an exception, Ctrl-C)
    stops the thread after the item it is computing and waits for it."""
    ready: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def hand_over(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not hand_over(item):
                    return
            hand_over(_DONE)
        except BaseException as error:  # handed to the caller, to raise there
            hand_over(_Failed(error))
        finally:
            connections.close_all()  # this thread's connections only

    def consume() -> Iterator[T]:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]  # everything else the queue holds is an item

    worker = threading.Thread(target=produce, name="read-ahead", daemon=True)
    worker.start()
    try:
        yield consume()
    finally:
        stop.set()
        worker.join()


@contextmanager
def alternating(items: Iterable[T], work: Callable[[T], R]) -> Iterator[Iterator[R]]:
    """``work(item)`` for each item, every second one in a thread of its own while this thread does the next: two
    items in progress at a time. The results come in the order the work finished (the thread's item may finish
    after the next one here); an error in the thread is raised here when its result is due, at the latest when the
    items run out. Leaving the block early (an exception, Ctrl-C) lets the thread finish the item it is doing and
    waits for it; the item after it is never started.

    For work whose items are independent transactions that never wait for each other's rows (apart from a short
    lock taken last, such as the audit chain's head): each thread commits its own."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="alternate") as other:

        def results() -> Iterator[R]:
            pending: Future[R] | None = None
            for index, item in enumerate(items):
                if index % 2 == 0:
                    yield work(item)
                    continue
                if pending is not None:
                    yield pending.result()
                pending = other.submit(work, item)
            if pending is not None:
                yield pending.result()

        try:
            yield results()
        finally:
            # The thread's connection, closed in that thread (the pool's only worker), after its last item.
            other.submit(connections.close_all)


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


@contextmanager
def beside(in_thread: bool) -> Iterator[Callable[[Callable[[], T]], Future[T]]]:
    """Runs work handed to it in a thread of its own while the caller goes on (``in_thread``), or at once (work too
    small to be worth a thread); either way its result or its error comes from the future returned. Leaving the
    block waits for the thread."""
    if not in_thread:

        def now(work: Callable[[], T]) -> Future[T]:
            done: Future[T] = Future()
            try:
                done.set_result(work())
            except BaseException as error:
                done.set_exception(error)
            return done

        yield now
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="beside") as pool:
        yield pool.submit
