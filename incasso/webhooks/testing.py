"""A local webhook receiver on 127.0.0.1 for tests and local runs: it verifies the signature like a client would.

``fail_next`` makes the next requests answer 503, to exercise the outbox's retries (``incasso.core.http_double``).
"""

from __future__ import annotations

import json
import time
from typing import Any

from incasso.core.http_double import FailNextCount, LocalHttpDouble, Request, Response
from incasso.webhooks.signing import SIGNATURE_HEADER, SignatureInvalid, signature_verify


class WebhookReceiver(LocalHttpDouble):
    url_path = "/hooks"
    fail_next = FailNextCount()

    def __init__(self, *, secret: str = "") -> None:
        super().__init__()
        self.secret = secret
        self.received: list[dict[str, Any]] = []
        self.refused: list[str] = []
        self.hosts: list[str] = []  # the Host header of every request, as the receiver saw it

    def respond(self, request: Request) -> Response:
        with self._lock:
            self.hosts.append(request.headers.get("host", ""))
            try:
                signature_verify(
                    secret=self.secret,
                    header=request.headers.get(SIGNATURE_HEADER.lower(), ""),
                    body=request.body,
                    now=int(time.time()),
                )
            except SignatureInvalid as exc:
                self.refused.append(str(exc))
                return Response(400)
            self.received.append(json.loads(request.body))
            return Response(204)
