"""Reading ahead in a thread changes nothing but timing: order, errors and the garbage collector as before."""

import threading

import pytest

from incasso.payments.read_ahead import read_ahead


def test_the_items_come_in_order_and_the_thread_is_gone_after():
    with read_ahead(iter(range(1_000))) as items:
        assert list(items) == list(range(1_000))
    assert not any(thread.name == "statement-read-ahead" for thread in threading.enumerate())


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
    assert not any(thread.name == "statement-read-ahead" for thread in threading.enumerate())
