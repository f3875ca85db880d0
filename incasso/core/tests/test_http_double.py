"""The shared part of the local HTTP doubles: recording, injected failures, the address after ``stop``."""

from __future__ import annotations

import httpx
import pytest

from incasso.core.http_double import FailNextCount, LocalHttpDouble, Request, Response, json_response


class Echo(LocalHttpDouble):
    url_path = "/echo"
    fail_next = FailNextCount()

    def respond(self, request: Request) -> Response:
        return json_response(200, {"path": request.path, "query": request.query, "body": request.json()})


def test_a_request_is_recorded_and_answered():
    with Echo() as double:
        answer = httpx.post(f"{double.url}?a=1&a=2", json={"x": 1}, headers={"X-Key": "k"}, timeout=5)
    assert answer.json() == {"path": "/echo", "query": {"a": "2"}, "body": {"x": 1}}
    assert answer.headers["content-type"] == "application/json"
    [request] = double.recorded
    assert (request.method, request.target, request.headers["x-key"]) == ("POST", "/echo?a=1&a=2", "k")


def test_injected_failures_come_first_and_are_recorded_too():
    with Echo() as double:
        double.fail_next = 2
        assert double.fail_next == 2
        statuses = [httpx.post(double.url, json={}, timeout=5).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert double.fail_next == 0 and len(double.recorded) == 3


def test_a_stopped_double_keeps_its_address_and_refuses_connections():
    double = Echo().start()
    double.stop()
    double.stop()  # twice is harmless (a fixture may stop it again)
    with pytest.raises(httpx.ConnectError):
        httpx.get(double.url, timeout=5)
