"""Retries with back-off, and a circuit breaker shared through the database — with a fake clock."""

from __future__ import annotations

import random

import pytest

from incasso.integrations.models import CircuitState, CircuitStatus
from incasso.integrations.resilience import (
    Backoff,
    CircuitBreaker,
    CircuitOpen,
    ServiceUnavailable,
    TransientError,
    call_with_resilience,
)


class Flaky:
    """Fails with ``TransientError`` ``failures`` times, then answers; records the timeouts it was given."""

    def __init__(self, failures: int, error: Exception | None = None) -> None:
        self.failures = failures
        self.error = error or TransientError("down")
        self.timeouts: list[float] = []

    def __call__(self, timeout: float) -> str:
        self.timeouts.append(timeout)
        if len(self.timeouts) <= self.failures:
            raise self.error
        return "answer"


def _call(func, breaker, retries=2):
    return call_with_resilience(
        "test", func, timeout=1.5, retries=retries, backoff=Backoff(base_seconds=1.0), breaker=breaker
    )


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    backoff = Backoff(base_seconds=1.0, factor=2.0, max_seconds=10.0)
    rng = random.Random(7)  # noqa: S311 - jitter, not cryptography
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 10.0), (9, 10.0)]:
        delay = backoff.delay(attempt, rng)
        assert ceiling / 2 <= delay <= ceiling
    assert Backoff(base_seconds=1.0, jitter=False).delay(3) == 4.0


def test_a_transient_failure_is_retried_after_a_pause(breaker, clock):
    func = Flaky(failures=2)
    assert _call(func, breaker) == "answer"
    assert func.timeouts == [1.5, 1.5, 1.5]
    assert len(clock.slept) == 2
    assert 0.5 <= clock.slept[0] <= 1.0
    assert 1.0 <= clock.slept[1] <= 2.0
    assert breaker.state() == CircuitStatus.CLOSED
    assert CircuitState.objects.get(name="test").failures == 0  # a success resets the count


def test_retries_exhausted_is_service_unavailable(breaker):
    func = Flaky(failures=99)
    with pytest.raises(ServiceUnavailable, match="gave up after 2 attempts"):
        _call(func, breaker, retries=1)
    assert len(func.timeouts) == 2


def test_a_refusal_is_raised_at_once_and_not_retried(breaker, clock):
    func = Flaky(failures=5, error=ValueError("refused"))
    with pytest.raises(ValueError, match="refused"):
        _call(func, breaker)
    assert len(func.timeouts) == 1
    assert clock.slept == []


def test_the_circuit_opens_after_the_threshold_and_fails_fast(breaker):
    with pytest.raises(ServiceUnavailable):
        _call(Flaky(failures=99), breaker, retries=2)  # three failures: the threshold
    assert breaker.state() == CircuitStatus.OPEN
    func = Flaky(failures=0)
    with pytest.raises(CircuitOpen):
        _call(func, breaker)
    assert func.timeouts == []  # not even tried


def test_after_reset_one_trial_goes_through_and_its_success_closes(breaker, clock, db):
    with pytest.raises(ServiceUnavailable):
        _call(Flaky(failures=99), breaker)
    clock.advance(seconds=61)
    other_worker = CircuitBreaker("test", failure_threshold=3, clock=clock)
    breaker.before_call()  # this worker wins the trial ...
    assert breaker.state() == CircuitStatus.HALF_OPEN
    with pytest.raises(CircuitOpen, match="trial"):
        other_worker.before_call()  # ... and the other fails fast meanwhile
    breaker.record_success()
    assert other_worker.state() == CircuitStatus.CLOSED
    assert _call(Flaky(failures=0), other_worker) == "answer"


def test_a_failed_trial_opens_the_circuit_again(breaker, clock):
    with pytest.raises(ServiceUnavailable):
        _call(Flaky(failures=99), breaker)
    clock.advance(seconds=61)
    trial_at = clock.now()
    with pytest.raises(CircuitOpen):
        _call(Flaky(failures=99), breaker)  # the trial fails, the retry finds the circuit open again
    row = CircuitState.objects.get(name="test")
    assert row.state == CircuitStatus.OPEN
    assert trial_at <= row.opened_at <= clock.now()
    clock.advance(seconds=30)
    with pytest.raises(CircuitOpen):
        breaker.before_call()


def test_a_trial_whose_worker_died_is_taken_over(breaker, clock):
    with pytest.raises(ServiceUnavailable):
        _call(Flaky(failures=99), breaker)
    clock.advance(seconds=61)
    breaker.before_call()  # the trial starts and its worker never reports back
    clock.advance(seconds=61)
    CircuitBreaker("test", clock=clock).before_call()  # taken over, no exception
    assert breaker.state() == CircuitStatus.HALF_OPEN


def test_workers_share_one_failure_count(breaker, clock):
    second = CircuitBreaker("test", failure_threshold=3, clock=clock)
    breaker.record_failure()
    second.record_failure()
    assert breaker.state() == CircuitStatus.CLOSED
    second.record_failure()
    assert breaker.state() == CircuitStatus.OPEN
