import gc

import pytest

from incasso.core.collector import cyclic_gc_paused


def test_the_collector_is_paused_inside_and_back_on_after():
    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_back_on_after_a_failure():
    def failing() -> None:
        with cyclic_gc_paused():
            raise RuntimeError("a chunk failed")

    with pytest.raises(RuntimeError):
        failing()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
