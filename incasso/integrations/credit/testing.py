"""``LocalCreditBureau``: the credit bureau's REST API on 127.0.0.1, answering from reports the test files."""

from __future__ import annotations

from typing import Any

from incasso.integrations.credit.port import RestCreditInformation
from incasso.integrations.rest.double import Answer, LocalRestService


class LocalCreditBureau(LocalRestService):
    def __init__(self, *, api_key: str = "local-credit-key") -> None:
        super().__init__()
        self.api_key = api_key
        self.reports: dict[str, dict[str, Any]] = {}  # by postcode + house number
        self.bodies: list[Any] = []

    def client(self) -> RestCreditInformation:
        return RestCreditInformation(url=self.url, api_key=self.api_key)

    def route(self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: Any) -> Answer:
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, {"error": "unauthorised"}
        if method != "POST" or path != "/v1/reports" or not isinstance(body, dict):
            return 400, {"error": "bad request"}
        self.bodies.append(body)
        report = self.reports.get(f"{body.get('postcode')}{body.get('houseNumber')}")
        return (200, report) if report is not None else (404, {"error": "no such subject"})
