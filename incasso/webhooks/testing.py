"""A local webhook receiver on 127.0.0.1 for tests and local runs: it verifies the signature like a client would.

``fail_next`` makes the next requests answer 503, to exercise the outbox's retries.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from incasso.webhooks.signing import SIGNATURE_HEADER, SignatureInvalid, signature_verify


class WebhookReceiver:
    def __init__(self, *, secret: str = "") -> None:
        self.secret = secret
        self.fail_next = 0
        self.received: list[dict[str, Any]] = []
        self.refused: list[str] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None  # noqa: S101 - started first
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hooks"

    def _answer(self, headers: dict[str, str], body: bytes) -> int:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503
            try:
                signature_verify(
                    secret=self.secret, header=headers.get(SIGNATURE_HEADER, ""), body=body, now=int(time.time())
                )
            except SignatureInvalid as exc:
                self.refused.append(str(exc))
                return 400
            self.received.append(json.loads(body))
            return 204

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = receiver._answer(dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
