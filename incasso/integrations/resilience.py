"""Calling an outside service without being hurt by it: timeouts, retries with back-off, a circuit breaker.

``call_with_resilience`` runs one call: each attempt gets the timeout (the adapter applies it to its I/O — a Python
thread cannot be interrupted safely, so the adapter's transport must honour it), a ``TransientError`` is retried
after an exponentially growing, jittered pause, and every outcome is reported to the ``CircuitBreaker``.

The breaker's state is a database row (``models.CircuitState``) changed only by compare-and-set updates, so every
worker sees the same state without a lock or a cache: after ``failure_threshold`` consecutive transient failures the
circuit opens and calls fail fast with ``CircuitOpen``; after ``reset_after`` one worker wins the half-open trial,
and its success closes the circuit again (its failure opens it for another ``reset_after``).

Errors that are not transient (the service answered and refused: a SOAP fault, a 4xx) are raised at once, are not
retried, and count as a sign of life for the breaker. Breaker rows are written outside the caller's transaction
only if the caller makes no outside call inside a transaction — which no caller should.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from django.db.models import F, Q
from django.utils import timezone

from incasso.integrations.models import CircuitState, CircuitStatus

T = TypeVar("T")


class Clock(Protocol):
    def now(self) -> datetime.datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime.datetime:
        return timezone.now()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK: Clock = SystemClock()


class TransientError(Exception):
    """The outside service could not be reached or did not answer in time: worth trying again later."""


class ServiceUnavailable(Exception):
    """The call did not succeed and should be queued for later (retries exhausted, or the circuit is open)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name


class CircuitOpen(ServiceUnavailable):
    """The circuit is open: the call was not even tried."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential back-off with jitter: attempt n waits between half and all of ``base * factor**(n-1)``."""

    base_seconds: float = 0.5
    factor: float = 2.0
    max_seconds: float = 30.0
    jitter: bool = True

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """The pause after failed attempt ``attempt`` (1-based)."""
        ceiling = min(self.max_seconds, self.base_seconds * self.factor ** (attempt - 1))
        if not self.jitter:
            return ceiling
        # "Equal jitter": never less than half the ceiling (real back-off), spread so workers do not retry in step.
        return ceiling / 2 + (rng or _RNG).uniform(0, ceiling / 2)


_RNG = random.Random()  # noqa: S311 - jitter, not cryptography


@dataclass
class CircuitBreaker:
    """A circuit breaker whose state every worker shares through ``CircuitState``."""

    name: str
    failure_threshold: int = 5
    reset_after: datetime.timedelta = field(default_factory=lambda: datetime.timedelta(minutes=1))
    clock: Clock = field(default=SYSTEM_CLOCK)

    def _row(self) -> CircuitState:
        row, _created = CircuitState.objects.get_or_create(name=self.name)
        return row

    def state(self) -> CircuitStatus:
        return CircuitStatus(self._row().state)

    def before_call(self) -> None:
        """Let the call through, or raise ``CircuitOpen``. Opening the half-open trial is a compare-and-set, so
        exactly one worker makes it; a trial whose worker died is taken over after another ``reset_after``."""
        row = self._row()
        if row.state == CircuitStatus.CLOSED:
            return
        now = self.clock.now()
        if row.opened_at is not None and now - row.opened_at < self.reset_after:
            if row.state == CircuitStatus.HALF_OPEN:
                raise CircuitOpen(self.name, "another worker is making the trial call")
            raise CircuitOpen(self.name, f"circuit open since {row.opened_at.isoformat()}, failing fast")
        won = CircuitState.objects.filter(pk=row.pk, state=row.state, opened_at=row.opened_at).update(
            state=CircuitStatus.HALF_OPEN.value, opened_at=now
        )
        if not won:
            raise CircuitOpen(self.name, "another worker is making the trial call")

    def record_success(self) -> None:
        CircuitState.objects.filter(name=self.name).filter(~Q(state=CircuitStatus.CLOSED) | Q(failures__gt=0)).update(
            state=CircuitStatus.CLOSED.value, failures=0, opened_at=None
        )

    def record_failure(self) -> None:
        now = self.clock.now()
        self._row()
        rows = CircuitState.objects.filter(name=self.name)
        # A failed trial opens the circuit again for a full ``reset_after``.
        rows.filter(state=CircuitStatus.HALF_OPEN).update(
            state=CircuitStatus.OPEN.value, opened_at=now, failures=F("failures") + 1
        )
        rows.filter(state=CircuitStatus.CLOSED).update(failures=F("failures") + 1)
        rows.filter(state=CircuitStatus.CLOSED, failures__gte=self.failure_threshold).update(
            state=CircuitStatus.OPEN.value, opened_at=now
        )


def call_with_resilience(
    name: str,
    func: Callable[[float], T],
    *,
    timeout: float,
    retries: int,
    backoff: Backoff,
    breaker: CircuitBreaker,
    clock: Clock | None = None,
    rng: random.Random | None = None,
) -> T:
    """Call ``func(timeout)`` up to ``1 + retries`` times.

    Returns its result; raises ``CircuitOpen`` when the breaker refuses, ``ServiceUnavailable`` when every attempt
    failed with a ``TransientError``, and any other exception of ``func`` at once.
    """
    clock = clock or breaker.clock
    last: TransientError | None = None
    for attempt in range(1, retries + 2):
        breaker.before_call()
        try:
            result = func(timeout)
        except TransientError as exc:
            breaker.record_failure()
            last = exc
            if attempt <= retries:
                clock.sleep(backoff.delay(attempt, rng))
            continue
        except Exception:
            breaker.record_success()  # the service answered, if only to refuse
            raise
        breaker.record_success()
        return result
    raise ServiceUnavailable(name, f"gave up after {retries + 1} attempts: {last}") from last


# What a call to a register or REST service (CIR, KvK, address service, credit bureau) gets unless the caller says
# otherwise; its breaker is ``CircuitBreaker(name)`` with the defaults.
SERVICE_TIMEOUT_SECONDS = 10.0
SERVICE_RETRIES = 2
SERVICE_BACKOFF = Backoff(base_seconds=0.5, factor=2.0, max_seconds=5.0)


class Closable(Protocol):
    def close(self) -> None: ...


ClientT = TypeVar("ClientT", bound=Closable)


@contextmanager
def client_or_own(client: ClientT | None, from_settings: Callable[[], ClientT]) -> Iterator[ClientT]:
    """The caller's client, left open; without one, a client made from the settings and closed afterwards."""
    if client is not None:
        yield client
        return
    own = from_settings()
    try:
        yield own
    finally:
        own.close()
