"""Reading ahead (in a thread, or a forked process) changes nothing but timing: order, errors and the garbage collector as before."""

import datetime
import multiprocessing
import pickle
import threading
from types import SimpleNamespace

import pytest

from incasso.core.read_ahead import read_ahead
from incasso.payments import services
from incasso.payments.parsers import ParsedEntry, StatementFileError
from incasso.payments.read_ahead import read_ahead_forked


def test_the_items_come_in_order_and_the_thread_is_gone_after():
    with read_ahead(iter(range(1_000))) as items:
        assert list(items) == list(range(1_000))
    assert not any(thread.name == "read-ahead" for thread in threading.enumerate())


def test_an_error_while_reading_is_raised_where_the_loop_would_raise_it():
    def broken():
        yield 1
        yield 2
        raise ValueError("the file breaks off")

    seen = []
    with pytest.raises(ValueError, match="breaks off"), read_ahead(broken()) as items:
        seen.extend(items)
    assert seen == [1, 2]


def test_a_caller_that_stops_early_stops_the_reader():
    produced = []

    def endless():
        number = 0
        while True:
            produced.append(number)
            yield number
            number += 1

    def write_until_refused():
        with read_ahead(endless()) as items:
            for item in items:
                if item == 3:
                    raise RuntimeError("the ledger refused a chunk")

    with pytest.raises(RuntimeError):
        write_until_refused()
    count = len(produced)
    assert count <= 3 + 1 + 2  # read at most the queue's depth beyond what was taken
    assert not any(thread.name == "read-ahead" for thread in threading.enumerate())


def test_the_forked_reader_gives_the_items_in_order_and_is_reaped_after():
    with read_ahead_forked(iter(range(1_000))) as items:
        assert list(items) == list(range(1_000))
    assert not multiprocessing.active_children()


def test_an_error_in_the_forked_reader_is_raised_where_the_loop_would_raise_it():
    def broken():
        yield 1
        yield 2
        raise StatementFileError("the file breaks off")

    seen = []
    with pytest.raises(StatementFileError, match="breaks off"), read_ahead_forked(broken()) as items:
        seen.extend(items)
    assert seen == [1, 2]


def test_an_error_that_cannot_travel_comes_back_as_its_text():
    class Unpicklable(Exception):
        def __reduce__(self):
            raise TypeError("not picklable")

    def broken():
        yield 1
        raise Unpicklable("odd")

    with pytest.raises(RuntimeError, match="Unpicklable: odd"), read_ahead_forked(broken()) as items:
        list(items)


def test_a_caller_that_stops_early_ends_the_forked_reader():
    def endless():
        number = 0
        while True:
            yield number
            number += 1

    def write_until_refused():
        with read_ahead_forked(endless()) as items:
            for item in items:
                if item == 3:
                    raise RuntimeError("the ledger refused a chunk")

    with pytest.raises(RuntimeError, match="refused"):
        write_until_refused()
    assert not multiprocessing.active_children()


def test_an_entry_crosses_the_pipe_unchanged():
    entry = ParsedEntry(
        7, "NL20INGB0001234567", datetime.date(2026, 10, 5), -1250, "EUR", datetime.date(2026, 10, 6), "REF",
        "E2E", "MANDATE", "Name", "NL91ABNA0417164300", "text", "RF18539007547034", "AC06", True,
    )  # fmt: skip
    assert pickle.loads(pickle.dumps(entry)) == entry  # noqa: S301 - our own bytes


def test_the_import_reads_in_a_child_process_and_in_a_thread_where_it_cannot_fork(monkeypatch):
    with services._read_ahead(iter([1, 2])) as chunks:
        assert multiprocessing.active_children()
        assert list(chunks) == [1, 2]
    monkeypatch.setattr(services.multiprocessing, "current_process", lambda: SimpleNamespace(daemon=True))
    with services._read_ahead(iter([1, 2])) as chunks:
        assert any(thread.name == "read-ahead" for thread in threading.enumerate())
        assert list(chunks) == [1, 2]
