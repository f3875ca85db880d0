"""A JSON-over-HTTPS call with the failure modes the resilience layer needs told apart.

``json_request`` makes one request with the timeout it is given and returns the decoded JSON object. A timeout, a
refused connection or a 5xx answer is ``RestUnavailable`` (a ``TransientError``: retried, then queued); a 4xx answer
is ``RestRejected`` (the service said no: trying again changes nothing); an answer that is not the JSON object
expected is ``RestMalformed``, so a caller can stop before changing anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from incasso.integrations.resilience import TransientError


class RestError(Exception):
    """Something went wrong talking to an outside REST service."""


class RestUnavailable(RestError, TransientError):
    """The service could not be reached, did not answer in time, or failed on its side (5xx)."""


class RestRejected(RestError):
    """The service answered with a 4xx: a wrong key, an unknown number, a malformed question."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class RestMalformed(RestError):
    """The service answered 2xx with something that is not what its contract promises."""


class RestNotConfigured(RestError):
    """A setting the service needs (its URL, its key) is missing."""


def json_request(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: float,
    service: str,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    body: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One request; the decoded JSON object of a 2xx answer, or one of the errors above."""
    try:
        response = session.request(
            method, url, params=params, headers=dict(headers or {}), json=body, timeout=timeout, allow_redirects=False
        )
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise RestUnavailable(f"{service} did not answer: {exc}") from exc
    if response.status_code >= 500:
        raise RestUnavailable(f"{service} answered HTTP {response.status_code}")
    if response.status_code >= 400:
        raise RestRejected(f"{service} refused the request: HTTP {response.status_code}", status=response.status_code)
    if response.status_code != 200:
        raise RestMalformed(f"{service} answered HTTP {response.status_code}, expected 200")
    try:
        data = response.json()
    except ValueError as exc:
        raise RestMalformed(f"{service} sent an answer that is not JSON") from exc
    if not isinstance(data, dict):
        raise RestMalformed(f"{service} sent JSON that is not an object")
    return data


def required_str(data: Mapping[str, Any], key: str, *, service: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RestMalformed(f"{service} sent an answer without {key!r}")
    return value.strip()


def optional_str(data: Mapping[str, Any], key: str, *, service: str) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise RestMalformed(f"{service} sent {key!r} of the wrong type")
    return str(value).strip()
