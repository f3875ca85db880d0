"""Sending one webhook: a signed JSON POST with a timeout, behind a circuit breaker per endpoint.

Retries across minutes and hours are the outbox's (``integrations.outbox``, exponential back-off); this module
makes one attempt and says how it went.
"""

from __future__ import annotations

import ipaddress
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

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


class PinnedAddressAdapter(HTTPAdapter):
    """Connects to one given address whatever the URL's host resolves to now, while the Host header, TLS's server
    name and the certificate check keep the URL's host name: the address is the one ``webhook_target_resolve``
    checked, so DNS cannot move the request elsewhere between the check and the connection."""

    def __init__(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
        super().__init__(max_retries=0)
        self._address = str(address)

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = host_params["host"]
            pool_kwargs["assert_hostname"] = host_params["host"]
        host_params["host"] = self._address
        return host_params, pool_kwargs


def _pinned_post(
    url: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address, *, timeout: float, **kwargs: Any
) -> requests.Response:
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment: it would connect elsewhere than the checked address
        adapter = PinnedAddressAdapter(address)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session.post(url, timeout=timeout, allow_redirects=False, **kwargs)


def webhook_body(*, event_id: str, event: str, created: str, data: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent."""
    document = {"id": event_id, "event": event, "created": created, "data": data}
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def webhook_post(
    *,
    endpoint_id: int,
    url: str,
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
    secret: str,
    event_id: str,
    body: bytes,
) -> AttemptResult:
    """One signed POST to ``url``, connected to ``address`` (the checked one). Never raises for the receiver's
    failures: they come back as ``ok=False``."""
    started = time.monotonic()
    status: list[int] = []

    def send(timeout: float) -> None:
        headers = {
            "Host": urlsplit(url).netloc.rpartition("@")[2],
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Incasso-Event-Id": event_id,
            SIGNATURE_HEADER: signature_header(secret=secret, timestamp=int(time.time()), body=body),
        }
        try:
            response = _pinned_post(url, address, data=body, headers=headers, timeout=timeout)
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
