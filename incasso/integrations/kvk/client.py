"""``KvkClient``: the Chamber of Commerce's Basisprofiel API (REST, the API key in the ``apikey`` header).

``profile`` asks ``GET {url}/api/v1/basisprofielen/{kvkNummer}`` and keeps what a check needs: the name, the legal
form, whether the registration has ended, and the main establishment's city. A 404 is "not registered" (``None``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from incasso.integrations.rest.client import (
    RestMalformed,
    RestNotConfigured,
    RestRejected,
    json_request,
    optional_str,
    required_str,
)

SERVICE = "the Chamber of Commerce"


def kvk_number_check(value: str) -> str:
    number = value.strip()
    if len(number) != 8 or not number.isdigit():
        raise ValueError(f"a KvK number is 8 digits, got {value!r}")
    return number


@dataclass(frozen=True, slots=True)
class CompanyProfile:
    kvk_number: str
    name: str
    legal_form: str
    registered_on: datetime.date | None
    ended_on: datetime.date | None
    city: str

    @property
    def active(self) -> bool:
        return self.ended_on is None


def _date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) != 8 or not value.isdigit():
        raise RestMalformed(f"{SERVICE} sent a date that is not YYYYMMDD: {value!r}")
    try:
        return datetime.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise RestMalformed(f"{SERVICE} sent an impossible date {value!r}") from exc


def profile_parse(data: dict[str, Any]) -> CompanyProfile:
    embedded = data.get("_embedded") or {}
    registration = data.get("materieleRegistratie") or {}
    if not isinstance(embedded, dict) or not isinstance(registration, dict):
        raise RestMalformed(f"{SERVICE} sent a profile of the wrong shape")
    owner = embedded.get("eigenaar") or {}
    main = embedded.get("hoofdvestiging") or {}
    addresses = main.get("adressen") or [] if isinstance(main, dict) else []
    if not isinstance(owner, dict) or not isinstance(addresses, list):
        raise RestMalformed(f"{SERVICE} sent a profile of the wrong shape")
    visiting = next((a for a in addresses if isinstance(a, dict) and a.get("type") == "bezoekadres"), None)
    return CompanyProfile(
        kvk_number=kvk_number_check(required_str(data, "kvkNummer", service=SERVICE)),
        name=required_str(data, "naam", service=SERVICE),
        legal_form=optional_str(owner, "rechtsvorm", service=SERVICE),
        registered_on=_date(registration.get("datumAanvang")),
        ended_on=_date(registration.get("datumEinde")),
        city=optional_str(visiting, "plaats", service=SERVICE) if visiting else "",
    )


class KvkClient:
    def __init__(self, *, url: str, api_key: str) -> None:
        self.url = url.rstrip("/")
        self._headers = {"apikey": api_key, "Accept": "application/json"}
        self._session = requests.Session()

    @classmethod
    def from_settings(cls) -> KvkClient:
        if not settings.INCASSO_KVK_URL or not settings.INCASSO_KVK_API_KEY:
            raise RestNotConfigured("INCASSO_KVK_URL and INCASSO_KVK_API_KEY must be set")
        return cls(url=settings.INCASSO_KVK_URL, api_key=settings.INCASSO_KVK_API_KEY)

    def close(self) -> None:
        self._session.close()

    def profile(self, kvk_number: str, *, timeout: float) -> CompanyProfile | None:
        number = kvk_number_check(kvk_number)
        try:
            data = json_request(
                self._session,
                "GET",
                f"{self.url}/api/v1/basisprofielen/{number}",
                headers=self._headers,
                timeout=timeout,
                service=SERVICE,
            )
        except RestRejected as exc:
            if exc.status == 404:
                return None
            raise
        profile = profile_parse(data)
        if profile.kvk_number != number:
            raise RestMalformed(f"{SERVICE} answered about {profile.kvk_number} when asked about {number}")
        return profile
