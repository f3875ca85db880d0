"""``LocalCir``: the insolvency register's SOAP service on 127.0.0.1, for tests and local runs.

It reads the SOAP envelope with lxml, checks the WS-Security UsernameToken (a wrong user or password gets a SOAP
fault, as the real service answers), and answers from an in-memory register the test fills (``add_person``,
``add_company``). ``delay_seconds`` slows every answer and ``fail_next`` answers the next requests with HTTP 503,
to exercise timeouts, retries and the circuit breaker (both from ``incasso.core.http_double``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from lxml import etree

from incasso.core.http_double import FailNextCount, LocalHttpDouble, Request, Response
from incasso.integrations.cir.client import CirClient, Publication

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
CIR_NS = "http://www.rechtspraak.nl/namespaces/cir01"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
NS = {"soap": SOAP_NS, "cir": CIR_NS, "wsse": WSSE_NS}
XML = "text/xml; charset=utf-8"


def _postcode(value: str) -> str:
    return value.replace(" ", "").upper()


@dataclass
class _Register:
    people: dict[tuple[str, datetime.date], list[tuple[str, str, Publication]]] = field(default_factory=dict)
    companies: dict[str, list[Publication]] = field(default_factory=dict)


class _Fault(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class LocalCir(LocalHttpDouble):
    """A threaded HTTP server answering the CIR's SOAP operations. Use as a context manager, or ``start``/``stop``."""

    url_path = "/cir.asmx"
    fail_next = FailNextCount()

    def __init__(self, *, username: str = "incasso", password: str = "local-cir-secret") -> None:  # noqa: S107
        super().__init__()
        self.username = username
        self.password = password
        self.register = _Register()

    @property
    def requests(self) -> int:
        """How many requests reached the register."""
        return len(self.recorded)

    # --- the register ---
    def add_person(
        self,
        *,
        surname: str,
        date_of_birth: datetime.date,
        publication: Publication,
        postcode: str = "",
        house_number: str = "",
    ) -> None:
        key = (surname.lower(), date_of_birth)
        self.register.people.setdefault(key, []).append((_postcode(postcode), house_number, publication))

    def add_company(self, *, kvk_number: str, publication: Publication) -> None:
        self.register.companies.setdefault(kvk_number, []).append(publication)

    def client(self, *, password: str | None = None) -> CirClient:
        return CirClient(url=self.url, username=self.username, password=self.password if password is None else password)

    # --- SOAP ---
    def failure_response(self, status: int) -> Response:
        return Response(status, b"Service Unavailable", XML)

    def respond(self, request: Request) -> Response:
        try:
            envelope = etree.fromstring(request.body, parser=etree.XMLParser(resolve_entities=False, no_network=True))
            self._authenticate(envelope)
            operation = envelope.find("soap:Body/*", NS)
            if operation is None:
                raise _Fault("soap:Client", "empty SOAP body")
            publications = self._search(operation)
        except etree.XMLSyntaxError as exc:
            return Response(500, _fault("soap:Client", f"malformed XML: {exc}"), XML)
        except _Fault as exc:
            return Response(500, _fault(exc.code, str(exc)), XML)
        response = etree.QName(CIR_NS, f"{etree.QName(operation).localname}Response")
        return Response(200, _envelope(response, publications), XML)

    def _authenticate(self, envelope: etree._Element) -> None:
        token = envelope.find("soap:Header/wsse:Security/wsse:UsernameToken", NS)
        if token is None:
            raise _Fault("wsse:InvalidSecurity", "a WS-Security UsernameToken is required")
        username = token.findtext("wsse:Username", default="", namespaces=NS)
        password = token.findtext("wsse:Password", default="", namespaces=NS)
        if username != self.username or password != self.password:
            raise _Fault("wsse:FailedAuthentication", "the security token could not be authenticated")

    def _search(self, operation: etree._Element) -> list[Publication]:
        name = etree.QName(operation).localname
        if name == "searchUndertaking":
            kvk = operation.findtext("cir:commercialRegisterID", default="", namespaces=NS)
            return list(self.register.companies.get(kvk, []))
        if name == "searchNaturalPerson":
            surname = operation.findtext("cir:surname", default="", namespaces=NS).lower()
            try:
                born = datetime.date.fromisoformat(operation.findtext("cir:dateOfBirth", default="", namespaces=NS))
            except ValueError:
                raise _Fault("soap:Client", "dateOfBirth is not a date") from None
            postcode = _postcode(operation.findtext("cir:postalCode", default="", namespaces=NS))
            house = operation.findtext("cir:houseNumber", default="", namespaces=NS)
            return [
                publication
                for known_postcode, known_house, publication in self.register.people.get((surname, born), [])
                if (not postcode or not known_postcode or postcode == known_postcode)
                and (not house or not known_house or house == known_house)
            ]
        raise _Fault("soap:Client", f"unknown operation {name}")


def _envelope(response: etree.QName, publications: list[Publication]) -> bytes:
    envelope = etree.Element(etree.QName(SOAP_NS, "Envelope"), nsmap={"soap": SOAP_NS, "cir": CIR_NS})
    body = etree.SubElement(envelope, etree.QName(SOAP_NS, "Body"))
    result = etree.SubElement(etree.SubElement(body, response), etree.QName(CIR_NS, "searchResult"))
    for publication in publications:
        item = etree.SubElement(result, etree.QName(CIR_NS, "publication"))
        for tag, value in (
            ("insolvencyNumber", publication.insolvency_number),
            ("court", publication.court),
            ("kind", publication.kind.value),
            ("publicationDate", publication.published_on.isoformat()),
        ):
            etree.SubElement(item, etree.QName(CIR_NS, tag)).text = value
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="utf-8"))


def _fault(code: str, message: str) -> bytes:
    envelope = etree.Element(etree.QName(SOAP_NS, "Envelope"), nsmap={"soap": SOAP_NS, "wsse": WSSE_NS})
    fault = etree.SubElement(etree.SubElement(envelope, etree.QName(SOAP_NS, "Body")), etree.QName(SOAP_NS, "Fault"))
    etree.SubElement(fault, "faultcode").text = code
    etree.SubElement(fault, "faultstring").text = message
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="utf-8"))
