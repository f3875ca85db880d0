"""The credit-information port: a null adapter by default (no bureau: nothing leaves) and a REST adapter.

The REST adapter asks ``POST {url}/v1/reports`` with ``Authorization: Bearer <key>`` and a JSON body of the person
or company, and reads ``{"reference", "score", "negativeRegistrations"}``; ``404`` means the bureau knows nobody.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Protocol

import requests
from django.conf import settings

from incasso.integrations.rest.client import RestMalformed, RestNotConfigured, RestRejected, json_request, required_str

SERVICE = "the credit bureau"


@dataclass(frozen=True, slots=True)
class CreditQuery:
    name: str
    date_of_birth: datetime.date | None
    postcode: str
    house_number: str
    kvk_number: str = ""


@dataclass(frozen=True, slots=True)
class CreditReport:
    reference: str
    score: int  # 0 (worst) to 1000 (best), as the bureau grades
    negative_registrations: int


class CreditInformation(Protocol):
    sends_data: bool

    def report(self, query: CreditQuery, *, timeout: float) -> CreditReport | None: ...

    def close(self) -> None: ...


class NullCreditInformation:
    """No bureau configured: no report, and no personal data leaves the system."""

    sends_data = False

    def report(self, query: CreditQuery, *, timeout: float) -> CreditReport | None:
        return None

    def close(self) -> None:
        return None


def _count(value: object, key: str, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= high:
        raise RestMalformed(f"{SERVICE} sent {key!r} that is not a number from 0 to {high}")
    return value


class RestCreditInformation:
    sends_data = True

    def __init__(self, *, url: str, api_key: str) -> None:
        self.url = url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        self._session = requests.Session()

    def close(self) -> None:
        self._session.close()

    def report(self, query: CreditQuery, *, timeout: float) -> CreditReport | None:
        body = {
            "name": query.name,
            "dateOfBirth": query.date_of_birth.isoformat() if query.date_of_birth else None,
            "postcode": query.postcode.replace(" ", "").upper(),
            "houseNumber": query.house_number,
            "kvkNumber": query.kvk_number or None,
        }
        try:
            data = json_request(
                self._session,
                "POST",
                f"{self.url}/v1/reports",
                headers=self._headers,
                body=body,
                timeout=timeout,
                service=SERVICE,
            )
        except RestRejected as exc:
            if exc.status == 404:
                return None
            raise
        return CreditReport(
            reference=required_str(data, "reference", service=SERVICE),
            score=_count(data.get("score"), "score", 1000),
            negative_registrations=_count(data.get("negativeRegistrations"), "negativeRegistrations", 10_000),
        )


def credit_information_from_settings() -> CreditInformation:
    kind = settings.INCASSO_CREDIT_ADAPTER
    if kind == "null":
        return NullCreditInformation()
    if kind == "rest":
        if not settings.INCASSO_CREDIT_URL or not settings.INCASSO_CREDIT_API_KEY:
            raise RestNotConfigured("INCASSO_CREDIT_URL and INCASSO_CREDIT_API_KEY must be set for the REST adapter")
        return RestCreditInformation(url=settings.INCASSO_CREDIT_URL, api_key=settings.INCASSO_CREDIT_API_KEY)
    raise RestNotConfigured(f"INCASSO_CREDIT_ADAPTER must be 'null' or 'rest', got {kind!r}")
