"""``AddressClient``: an address service shaped like the BAG API (Individuele Bevragingen) and postcode APIs.

``lookup`` asks ``GET {url}/adressen?postcode=1234AB&huisnummer=10`` and reads the first of
``_embedded.adressen``; ``changes`` reads the change feed ``GET {url}/mutaties?vanaf=<cursor>``, a page of
changed addresses each with the address it was before (``vorig``), the next cursor and whether there is more.
The API key goes in the ``X-Api-Key`` header, as the BAG API wants it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from incasso.integrations.rest.client import (
    RestMalformed,
    RestNotConfigured,
    json_request,
    optional_str,
    required_str,
)

SERVICE = "the address service"


def postcode_normalise(value: str) -> str:
    return value.replace(" ", "").upper()


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    house_number: str  # number, letter and addition as one: "10", "10A", "10-2"
    postcode: str
    city: str

    @property
    def key(self) -> tuple[str, str]:
        return postcode_normalise(self.postcode), self.house_number.replace(" ", "").upper()


@dataclass(frozen=True, slots=True)
class AddressChange:
    before: tuple[str, str]  # (postcode, house number) of the address as it was
    after: Address


@dataclass(frozen=True, slots=True)
class ChangePage:
    changes: tuple[AddressChange, ...]
    cursor: str
    more: bool


def _house_number(data: dict[str, Any]) -> str:
    number = data.get("huisnummer")
    if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
        raise RestMalformed(f"{SERVICE} sent an address without a valid 'huisnummer'")
    letter = optional_str(data, "huisletter", service=SERVICE)
    addition = optional_str(data, "huisnummertoevoeging", service=SERVICE)
    return f"{number}{letter}" + (f"-{addition}" if addition else "")


def address_parse(data: Any) -> Address:
    if not isinstance(data, dict):
        raise RestMalformed(f"{SERVICE} sent an address that is not an object")
    return Address(
        street=required_str(data, "openbareRuimteNaam", service=SERVICE),
        house_number=_house_number(data),
        postcode=postcode_normalise(required_str(data, "postcode", service=SERVICE)),
        city=required_str(data, "woonplaatsNaam", service=SERVICE),
    )


def _change_parse(data: Any) -> AddressChange:
    if not isinstance(data, dict) or not isinstance(data.get("vorig"), dict):
        raise RestMalformed(f"{SERVICE} sent a change without 'vorig'")
    before = data["vorig"]
    return AddressChange(
        before=(postcode_normalise(required_str(before, "postcode", service=SERVICE)), _house_number(before)),
        after=address_parse(data.get("adres")),
    )


class AddressClient:
    """One connection to the address service; each call applies the timeout it is given."""

    def __init__(self, *, url: str, api_key: str) -> None:
        self.url = url.rstrip("/")
        self._headers = {"X-Api-Key": api_key, "Accept": "application/hal+json"}
        self._session = requests.Session()

    @classmethod
    def from_settings(cls) -> AddressClient:
        if not settings.INCASSO_ADDRESS_URL or not settings.INCASSO_ADDRESS_API_KEY:
            raise RestNotConfigured("INCASSO_ADDRESS_URL and INCASSO_ADDRESS_API_KEY must be set")
        return cls(url=settings.INCASSO_ADDRESS_URL, api_key=settings.INCASSO_ADDRESS_API_KEY)

    def close(self) -> None:
        self._session.close()

    def lookup(self, *, postcode: str, house_number: int, timeout: float) -> Address | None:
        """The address at the postcode and number, or ``None`` when the register knows none there."""
        data = json_request(
            self._session,
            "GET",
            f"{self.url}/adressen",
            params={"postcode": postcode_normalise(postcode), "huisnummer": str(house_number)},
            headers=self._headers,
            timeout=timeout,
            service=SERVICE,
        )
        embedded = data.get("_embedded", {})
        found = embedded.get("adressen", []) if isinstance(embedded, dict) else None
        if not isinstance(found, list):
            raise RestMalformed(f"{SERVICE} sent '_embedded.adressen' that is not a list")
        return address_parse(found[0]) if found else None

    def changes(self, *, cursor: str, timeout: float) -> ChangePage:
        """One page of the change feed after ``cursor`` ("" from the start)."""
        data = json_request(
            self._session,
            "GET",
            f"{self.url}/mutaties",
            params={"vanaf": cursor} if cursor else {},
            headers=self._headers,
            timeout=timeout,
            service=SERVICE,
        )
        items = data.get("mutaties")
        if not isinstance(items, list) or not isinstance(data.get("meer"), bool):
            raise RestMalformed(f"{SERVICE} sent a change page without 'mutaties' and 'meer'")
        return ChangePage(
            changes=tuple(_change_parse(item) for item in items),
            cursor=required_str(data, "cursor", service=SERVICE),
            more=data["meer"],
        )
