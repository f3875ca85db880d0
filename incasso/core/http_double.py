"""``LocalHttpDouble``: what the local HTTP test doubles share (REST services, the CIR, the payment provider, the
webhook receiver).

A threaded HTTP server on 127.0.0.1 on a free port; use it as a context manager, or ``start``/``stop``. Every
request is recorded (``recorded``); the next ones can be answered with injected HTTP errors (``failures``, or
``fail_next = n`` on a double that declares ``fail_next = FailNextCount()``) and every answer can be slowed
(``delay_seconds``), to exercise timeouts, retries and circuit breakers. A subclass answers the rest in ``respond``.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # the path and query string, as sent
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        """The query parameters; the last value of a repeated one."""
        return {key: values[-1] for key, values in parse_qs(urlsplit(self.target).query).items()}

    def json(self) -> Any:
        """The body read as JSON; ``ValueError`` when it is not JSON."""
        return json.loads(self.body)


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = ""  # no Content-Type header when empty


def json_response(status: int, value: Any, *, content_type: str = "application/json") -> Response:
    return Response(status, json.dumps(value).encode(), content_type)


class LocalHttpDouble:
    """The server, the request log and the injected failures; a subclass answers in ``respond``."""

    url_path = ""  # what ``url`` adds to the server's address

    def __init__(self) -> None:
        self.delay_seconds = 0.0
        self.recorded: list[Request] = []
        self.failures: list[int] = []  # the HTTP statuses the next requests answer with, in order
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def respond(self, request: Request) -> Response:  # pragma: no cover - every double overrides it
        return Response(HTTPStatus.NOT_FOUND)

    def failure_response(self, status: int) -> Response:
        """The answer to a request that an injected failure takes; a double answers in its own protocol."""
        return Response(status)

    def serve(self, request: Request) -> Response:
        """Called from the server's threads: record the request, then fail it, slow it or let ``respond`` answer."""
        with self._lock:
            self.recorded.append(request)
            failure = self.failures.pop(0) if self.failures else None
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        return self.respond(request) if failure is None else self.failure_response(failure)

    @property
    def url(self) -> str:
        """The double's address; it stays the same after ``stop``, so a test can see the connection refused."""
        assert self._server is not None, f"{type(self).__name__} is not started"  # noqa: S101
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self.url_path}"

    def start(self) -> Self:
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class FailNextCount:
    """``double.fail_next = n``: the next n requests answer HTTP 503 (reading it: how many are left)."""

    def __get__(self, double: LocalHttpDouble, owner: type[LocalHttpDouble] | None = None) -> int:
        return len(double.failures)

    def __set__(self, double: LocalHttpDouble, count: int) -> None:
        with double._lock:
            double.failures[:] = [HTTPStatus.SERVICE_UNAVAILABLE] * count


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, double: LocalHttpDouble) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.double = double


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Request(self.command, self.path, headers, self.rfile.read(length) if length else b"")
        response = self.server.double.serve(request)
        try:
            self.send_response(response.status)
            if response.content_type:
                self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test): nobody to answer

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a test's output is not the place for an access log."""
