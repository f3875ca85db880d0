"""Fixtures of the integration tests: a fake clock, and the local CIR over real SOAP/HTTP."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from incasso.integrations.cir.testing import LocalCir
from incasso.integrations.resilience import Backoff, CircuitBreaker

FAST = Backoff(base_seconds=0.001, factor=2.0, max_seconds=0.01)


@pytest.fixture(autouse=True)
def _english():
    """These tests read the services' messages in English; the site's default language is Dutch."""
    with translation.override("en"):
        yield


class FakeClock:
    """Time that moves only when told to (or when the code under test sleeps)."""

    def __init__(self) -> None:
        self.current = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
        self.slept: list[float] = []

    def now(self) -> datetime.datetime:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.current += datetime.timedelta(seconds=seconds)

    def advance(self, **delta: float) -> None:
        self.current += datetime.timedelta(**delta)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def breaker(db, clock):
    return CircuitBreaker("test", failure_threshold=3, reset_after=datetime.timedelta(minutes=1), clock=clock)


@pytest.fixture
def local_cir():
    with LocalCir() as double:
        yield double


@pytest.fixture
def cir_client(local_cir):
    client = local_cir.client()
    yield client
    client.close()


@pytest.fixture
def cir_settings(settings, local_cir):
    """The settings the real configuration reads, pointing at the local register."""
    settings.INCASSO_CIR_URL = local_cir.url
    settings.INCASSO_CIR_USER = local_cir.username
    settings.INCASSO_CIR_PASSWORD = local_cir.password
    return settings
