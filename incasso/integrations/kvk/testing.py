"""``LocalKvk``: the KvK Basisprofiel API on 127.0.0.1, loaded with numbers of KvK's public test environment.

The fixtures use numbers KvK publishes for its test environment (api.kvk.nl/test) with fictitious "Test" companies;
one is given an end date here so an ended registration can be tested. Any other number answers 404, as KvK does.
"""

from __future__ import annotations

from typing import Any

from incasso.integrations.kvk.client import KvkClient
from incasso.integrations.rest.double import Answer, LocalRestService

PREFIX = "/api/v1/basisprofielen/"


def _profile(number: str, name: str, form: str, city: str, start: str, end: str | None = None) -> dict[str, Any]:
    return {
        "kvkNummer": number,
        "naam": name,
        "formeleRegistratiedatum": start,
        "materieleRegistratie": {"datumAanvang": start, **({"datumEinde": end} if end else {})},
        "_embedded": {
            "eigenaar": {"rechtsvorm": form},
            "hoofdvestiging": {
                "adressen": [{"type": "bezoekadres", "straatnaam": "Teststraat", "huisnummer": 1, "plaats": city}]
            },
        },
    }


TEST_COMPANIES: dict[str, dict[str, Any]] = {
    "68750110": _profile("68750110", "Test BV Donald", "BeslotenVennootschap", "Lollum", "20170706"),
    "69599084": _profile("69599084", "Test EMZ Dagobert", "Eenmanszaak", "Amsterdam", "20171122"),
    "90004973": _profile("90004973", "Test Stichting Bolderbast", "Stichting", "Lollum", "20180312", "20230101"),
}


class LocalKvk(LocalRestService):
    def __init__(self, *, api_key: str = "local-kvk-key") -> None:
        super().__init__()
        self.api_key = api_key
        self.companies = dict(TEST_COMPANIES)

    def client(self) -> KvkClient:
        return KvkClient(url=self.url, api_key=self.api_key)

    def route(self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: Any) -> Answer:
        if headers.get("apikey") != self.api_key:
            return 401, {"fout": [{"code": "401", "omschrijving": "Ongeldige API key"}]}
        if method == "GET" and path.startswith(PREFIX):
            number = path.removeprefix(PREFIX)
            if number in self.companies:
                return 200, self.companies[number]
            return 404, {"fout": [{"code": "IPD0004", "omschrijving": "Het kvkNummer is niet gevonden"}]}
        return 404, {"fout": [{"code": "404", "omschrijving": "Niet gevonden"}]}
