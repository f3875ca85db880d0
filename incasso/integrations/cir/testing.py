"""``LocalCir``: the insolvency register's SOAP service on 127.0.0.1, for tests and local runs.

It reads the SOAP envelope with lxml, checks the WS-Security UsernameToken (a wrong user or password gets a SOAP
fault, as the real service answers), and answers from an in-memory register the test fills (``add_person``,
``add_company``). ``delay_seconds`` slows every answer and ``fail_next`` answers the next requests with HTTP 503,
to exercise timeouts, retries and the circuit breaker.
"""

from __future__ import annotations

import datetime
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from lxml import etree

from incasso.integrations.cir.client import CirClient, Publication

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
CIR_NS = "http://www.rechtspraak.nl/namespaces/cir01"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
NS = {"soap": SOAP_NS, "cir": CIR_NS, "wsse": WSSE_NS}


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


class LocalCir:
    """A threaded HTTP server answering the CIR's SOAP operations. Use as a context manager, or ``start``/``stop``."""

    def __init__(self, *, username: str = "incasso", password: str = "local-cir-secret") -> None:  # noqa: S107
        self.username = username
        self.password = password
        self.register = _Register()
        self.delay_seconds = 0.0
        self.fail_next = 0
        self.requests = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

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

    # --- the server ---
    @property
    def url(self) -> str:
        assert self._server is not None, "the local CIR is not started"  # noqa: S101
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/cir.asmx"

    def client(self, *, password: str | None = None) -> CirClient:
        return CirClient(url=self.url, username=self.username, password=self.password if password is None else password)

    def start(self) -> LocalCir:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, answer = double._answer(body)
                if double.delay_seconds:
                    time.sleep(double.delay_seconds)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/xml; charset=utf-8")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LocalCir:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- SOAP ---
    def _answer(self, body: bytes) -> tuple[int, bytes]:
        with self._lock:
            self.requests += 1
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503, b"Service Unavailable"
        try:
            envelope = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))
            self._authenticate(envelope)
            operation = envelope.find("soap:Body/*", NS)
            if operation is None:
                raise _Fault("soap:Client", "empty SOAP body")
            publications = self._search(operation)
        except etree.XMLSyntaxError as exc:
            return 500, _fault("soap:Client", f"malformed XML: {exc}")
        except _Fault as exc:
            return 500, _fault(exc.code, str(exc))
        response = etree.QName(CIR_NS, f"{etree.QName(operation).localname}Response")
        return 200, _envelope(response, publications)

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
