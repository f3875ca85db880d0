"""``LocalRestService``: a JSON REST service on 127.0.0.1 for tests and local runs, the base of each REST double.

A subclass answers ``route(method, path, query, headers, body)`` with ``(status, JSON value)``. Every double can be
told to be slow (``delay_seconds``), to fail the next requests with HTTP 503 (``fail_next``) or to answer the next
ones with a body that is not JSON (``malformed_next``), to exercise timeouts, retries, the circuit breaker and
clear errors on bad answers. The server itself is ``incasso.core.http_double``.
"""

from __future__ import annotations

from typing import Any

from incasso.core.http_double import FailNextCount, LocalHttpDouble, Request, Response, json_response

Answer = tuple[int, Any]


class LocalRestService(LocalHttpDouble):
    """A threaded HTTP server; use as a context manager, or ``start``/``stop``."""

    fail_next = FailNextCount()

    def __init__(self) -> None:
        super().__init__()
        self.malformed_next = 0

    @property
    def requests(self) -> list[tuple[str, str, dict[str, str]]]:
        """Every request so far: method, path with query, headers (names in lower case)."""
        return [(request.method, request.target, request.headers) for request in self.recorded]

    # --- what a double answers ---
    def route(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: Any
    ) -> Answer:  # pragma: no cover - every double overrides it
        return 404, {"error": "not found"}

    # --- the JSON side ---
    def failure_response(self, status: int) -> Response:
        return json_response(status, {"error": "service unavailable"})

    def respond(self, request: Request) -> Response:
        with self._lock:
            if self.malformed_next > 0:
                self.malformed_next -= 1
                return Response(200, b"<html>not json</html>", "application/json")
        try:
            body = request.json() if request.body else None
        except ValueError:
            return json_response(400, {"error": "body is not JSON"})
        status, value = self.route(request.method, request.path, request.query, request.headers, body)
        return json_response(status, value)
