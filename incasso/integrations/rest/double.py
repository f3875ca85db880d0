"""``LocalRestService``: a JSON REST service on 127.0.0.1 for tests and local runs, the base of each REST double.

A subclass answers ``route(method, path, query, headers, body)`` with ``(status, JSON value)``. Every double can be
told to be slow (``delay_seconds``), to fail the next requests with HTTP 503 (``fail_next``) or to answer the next
ones with a body that is not JSON (``malformed_next``), to exercise timeouts, retries, the circuit breaker and
clear errors on bad answers.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, Any]


class LocalRestService:
    """A threaded HTTP server; use as a context manager, or ``start``/``stop``."""

    def __init__(self) -> None:
        self.delay_seconds = 0.0
        self.fail_next = 0
        self.malformed_next = 0
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- what a double answers ---
    def route(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: Any
    ) -> Answer:  # pragma: no cover - every double overrides it
        return 404, {"error": "not found"}

    # --- the server ---
    @property
    def url(self) -> str:
        assert self._server is not None, "the local service is not started"  # noqa: S101
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def _answer(self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes) -> tuple[int, bytes]:
        with self._lock:
            self.requests.append((method, raw_path, headers))
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503, b'{"error": "service unavailable"}'
            if self.malformed_next > 0:
                self.malformed_next -= 1
                return 200, b"<html>not json</html>"
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        parts = urlsplit(raw_path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        try:
            body = json.loads(raw_body) if raw_body else None
        except ValueError:
            return 400, b'{"error": "body is not JSON"}'
        status, value = self.route(method, parts.path, query, headers, body)
        return status, json.dumps(value).encode()

    def start(self) -> LocalRestService:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw_body = self.rfile.read(length) if length else b""
                headers = {key.lower(): value for key, value in self.headers.items()}
                status, payload = double._answer(method, self.path, headers, raw_body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out and went away
                    pass

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LocalRestService:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
