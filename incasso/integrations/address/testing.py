"""``LocalAddressService``: the address service's REST API on 127.0.0.1, answering from a register the test fills."""

from __future__ import annotations

from typing import Any

from incasso.integrations.address.client import Address, AddressClient, postcode_normalise
from incasso.integrations.rest.double import Answer, LocalRestService


def _bag(address: Address) -> dict[str, Any]:
    number = "".join(c for c in address.house_number.split("-")[0] if c.isdigit())
    letter = "".join(c for c in address.house_number.split("-")[0] if c.isalpha())
    addition = address.house_number.split("-")[1] if "-" in address.house_number else None
    return {
        "openbareRuimteNaam": address.street,
        "huisnummer": int(number),
        "huisletter": letter or None,
        "huisnummertoevoeging": addition,
        "postcode": address.postcode,
        "woonplaatsNaam": address.city,
    }


class LocalAddressService(LocalRestService):
    def __init__(self, *, api_key: str = "local-address-key", page_size: int = 2) -> None:
        super().__init__()
        self.api_key = api_key
        self.page_size = page_size
        self.addresses: dict[tuple[str, int], Address] = {}
        self.feed: list[tuple[Address, Address]] = []  # (before, after), in order

    def add(self, address: Address) -> None:
        number = int("".join(c for c in address.house_number.split("-")[0] if c.isdigit()))
        self.addresses[(postcode_normalise(address.postcode), number)] = address

    def change(self, before: Address, after: Address) -> None:
        self.feed.append((before, after))
        self.add(after)

    def client(self) -> AddressClient:
        return AddressClient(url=self.url, api_key=self.api_key)

    def route(self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: Any) -> Answer:
        if headers.get("x-api-key") != self.api_key:
            return 401, {"status": 401, "title": "Niet geautoriseerd"}
        if method == "GET" and path == "/adressen":
            try:
                key = (postcode_normalise(query["postcode"]), int(query["huisnummer"]))
            except (KeyError, ValueError):
                return 400, {"status": 400, "title": "Ongeldige parameters"}
            found = [_bag(self.addresses[key])] if key in self.addresses else []
            return 200, {"_embedded": {"adressen": found}}
        if method == "GET" and path == "/mutaties":
            start = int(query.get("vanaf") or 0)
            page = self.feed[start : start + self.page_size]
            end = start + len(page)
            return 200, {
                "mutaties": [{"vorig": _bag(before), "adres": _bag(after)} for before, after in page],
                "cursor": str(end),
                "meer": end < len(self.feed),
            }
        return 404, {"status": 404, "title": "Niet gevonden"}
