"""Computing the next item of an iterator in another thread while the caller works on the current one.

While the caller writes a chunk (mostly waiting for the database), the thread reads the next: a statement import
parses the next chunk of the file, the retention sweep reads the next expired subjects. The two overlap on two
cores instead of taking turns. Items still arrive one at a time in order, and an error while reading is raised
where the plain loop would have raised it. A thread that queries has its own database connection (Django's are
per thread), closed when it ends; it reads committed data only, so the caller must not be inside a transaction
whose rows the reads need.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import connections

T = TypeVar("T")
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


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error
