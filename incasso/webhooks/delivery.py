"""Sending one webhook: a signed JSON POST with a timeout, behind a circuit breaker per endpoint.

Retries across minutes and hours are the outbox's (``integrations.outbox``, exponential back-off); this module
makes one attempt and says how it went.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import requests

from incasso.integrations.resilience import (
    Backoff,
    CircuitBreaker,
    ServiceUnavailable,
    TransientError,
    call_with_resilience,
)
from incasso.webhooks.signing import SIGNATURE_HEADER, signature_header

TIMEOUT_SECONDS = 10.0
USER_AGENT = "Incasso-Webhooks/1"


class DeliveryFailed(TransientError):
    """The receiver did not answer 2xx in time."""


@dataclass(frozen=True, slots=True)
class AttemptResult:
    ok: bool
    status_code: int | None
    error: str
    duration_ms: int


def webhook_body(*, event_id: str, event: str, created: str, data: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent."""
    document = {"id": event_id, "event": event, "created": created, "data": data}
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def webhook_post(*, endpoint_id: int, url: str, secret: str, event_id: str, body: bytes) -> AttemptResult:
    """One signed POST. Never raises for the receiver's failures: they come back as ``ok=False``."""
    started = time.monotonic()
    status: list[int] = []

    def send(timeout: float) -> None:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Incasso-Event-Id": event_id,
            SIGNATURE_HEADER: signature_header(secret=secret, timestamp=int(time.time()), body=body),
        }
        try:
            response = requests.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise DeliveryFailed(f"no answer: {exc}") from exc
        status.append(response.status_code)
        if not 200 <= response.status_code < 300:
            raise DeliveryFailed(f"HTTP {response.status_code}")

    try:
        call_with_resilience(
            f"webhook:{endpoint_id}",
            send,
            timeout=TIMEOUT_SECONDS,
            retries=0,
            backoff=Backoff(),
            breaker=CircuitBreaker(name=f"webhook:{endpoint_id}"),
        )
    except (ServiceUnavailable, requests.RequestException) as exc:
        elapsed = int((time.monotonic() - started) * 1000)
        return AttemptResult(False, status[-1] if status else None, str(exc)[:1000], elapsed)
    return AttemptResult(True, status[-1], "", int((time.monotonic() - started) * 1000))
