"""The signature on a webhook payload: ``Incasso-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``.

The HMAC covers ``"<t>.<body>"`` with the endpoint's secret, so a receiver can check both that we sent the body
and that it is fresh (a replayed old request fails the timestamp tolerance). Plain Python: receivers may copy it.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Incasso-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureInvalid(Exception):
    """The header is missing, malformed, stale, or does not match the body."""


def signature_compute(*, secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},{SCHEME}={signature_compute(secret=secret, timestamp=timestamp, body=body)}"


def signature_verify(
    *, secret: str, header: str, body: bytes, now: int, tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS
) -> None:
    """Raise ``SignatureInvalid`` unless ``header`` signs ``body`` with ``secret`` within the tolerance of ``now``."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError) as exc:
        raise SignatureInvalid("no timestamp in the signature header") from exc
    if abs(now - timestamp) > tolerance_seconds:
        raise SignatureInvalid("the signature's timestamp is outside the tolerance")
    expected = signature_compute(secret=secret, timestamp=timestamp, body=body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in parts.get(SCHEME, [])):
        raise SignatureInvalid("the signature does not match the body")
