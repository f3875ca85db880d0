"""Python's cyclic garbage collector paused for a bulk job (claim intake, the daily run, statement imports).

A chunk of a bulk job keeps tens of thousands of small objects alive (rows, records, decisions), and every few
hundred allocations the collector walks them, and the rest of the heap, again: measured at a fifth to a third of
such a job's CPU. These jobs make plain records that reference counting frees, so almost nothing waits for the
collector meanwhile; a job that may leave cycles runs ``gc.collect(0)`` between its chunks to keep memory bounded.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """The collector off inside the block; back on afterwards if it was on, whatever happens."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
