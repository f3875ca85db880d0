# zeep has no type hints: its constructors and helpers are untyped calls.
# mypy: disable-error-code="no-untyped-call"
"""``CirClient``: the CIR's SOAP web service through zeep, with WS-Security (UsernameToken) and timeouts.

Transport failures (a timeout, a refused connection, an HTTP error without a SOAP fault) are ``CirUnavailable``, a
``TransientError`` the resilience layer retries and queues; a SOAP fault (a wrong password, a malformed search) is
``CirRejected``: the register answered and said no, so trying again changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import requests
from django.conf import settings
from zeep import Client, Settings
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault, TransportError
from zeep.helpers import serialize_object
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from incasso.domain.case_lifecycle import HoldKind
from incasso.integrations.resilience import TransientError

WSDL_PATH = Path(__file__).with_name("cir.wsdl")
BINDING = "{http://www.rechtspraak.nl/namespaces/cir01}CIRBinding"
DEFAULT_TIMEOUT_SECONDS = 10.0


class CirError(Exception):
    """Something went wrong talking to the CIR."""


class CirUnavailable(CirError, TransientError):
    """The CIR could not be reached or did not answer in time."""


class CirRejected(CirError):
    """The CIR answered with a SOAP fault (for instance: the credentials are wrong)."""


class CirNotConfigured(CirError):
    """INCASSO_CIR_URL, INCASSO_CIR_USER or INCASSO_CIR_PASSWORD is not set."""


class PublicationKind(StrEnum):
    BANKRUPTCY = "faillissement"
    SUSPENSION_OF_PAYMENTS = "surseance"
    DEBT_RESTRUCTURING = "WSNP"

    @property
    def hold_kind(self) -> HoldKind:
        return HoldKind.DEBT_RESTRUCTURING if self is PublicationKind.DEBT_RESTRUCTURING else HoldKind.INSOLVENCY


@dataclass(frozen=True, slots=True)
class Publication:
    """One insolvency published in the register."""

    insolvency_number: str
    court: str
    kind: PublicationKind
    published_on: datetime.date

    def describe(self) -> str:
        return f"CIR {self.kind.value} {self.insolvency_number}, {self.court}, published {self.published_on}"


@dataclass(frozen=True, slots=True)
class PersonSearch:
    surname: str
    date_of_birth: datetime.date
    postcode: str = ""
    house_number: str = ""


@dataclass(frozen=True, slots=True)
class CompanySearch:
    kvk_number: str


Search = PersonSearch | CompanySearch


def _setting(name: str) -> str:
    value = getattr(settings, name, "")  # declared in config/settings.py, read from the environment there
    if not isinstance(value, str) or not value:
        raise CirNotConfigured(f"{name} is not set: the insolvency register cannot be reached")
    return value


def _publications(result: Any) -> list[Publication]:
    # zeep unwraps single-child wrappers, so the answer may come as the result, its publication list, or nothing.
    data = serialize_object(result, target_cls=dict)
    if isinstance(data, dict) and "searchResult" in data:
        data = data["searchResult"]
    if isinstance(data, dict):
        data = data.get("publication")
    items: list[Any] = [] if data is None else list(data) if isinstance(data, list) else [data]
    try:
        return [
            Publication(
                insolvency_number=str(item["insolvencyNumber"]),
                court=str(item["court"]),
                kind=PublicationKind(item["kind"]),
                published_on=item["publicationDate"],
            )
            for item in items
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CirRejected(f"the insolvency register sent an unreadable answer: {exc!r}") from exc


class CirClient:
    """One connection to the register. ``search`` applies the timeout it is given to that one request."""

    def __init__(self, *, url: str, username: str, password: str) -> None:
        self.url = url
        self._session = requests.Session()
        self._transport = Transport(session=self._session, timeout=DEFAULT_TIMEOUT_SECONDS)
        self._client = Client(
            str(WSDL_PATH),
            transport=self._transport,
            wsse=UsernameToken(username, password),
            settings=Settings(strict=True),
        )
        self._service = self._client.create_service(BINDING, url)

    @classmethod
    def from_settings(cls) -> CirClient:
        return cls(
            url=_setting("INCASSO_CIR_URL"),
            username=_setting("INCASSO_CIR_USER"),
            password=_setting("INCASSO_CIR_PASSWORD"),
        )

    def close(self) -> None:
        self._session.close()

    def search(self, query: Search, *, timeout: float) -> list[Publication]:
        """The publications the register holds for the person or company; empty when it holds none."""
        self._transport.operation_timeout = timeout
        try:
            if isinstance(query, CompanySearch):
                result = self._service.searchUndertaking(commercialRegisterID=query.kvk_number)
            else:
                result = self._service.searchNaturalPerson(
                    surname=query.surname,
                    dateOfBirth=query.date_of_birth,
                    postalCode=query.postcode.replace(" ", "").upper() or None,
                    houseNumber=query.house_number or None,
                )
        except Fault as exc:
            raise CirRejected(f"the insolvency register refused the search: {exc.message}") from exc
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise CirUnavailable(f"the insolvency register did not answer: {exc}") from exc
        except TransportError as exc:
            raise CirUnavailable(f"the insolvency register answered HTTP {exc.status_code}") from exc
        except ZeepError as exc:
            raise CirRejected(f"the insolvency register sent an unreadable answer: {exc}") from exc
        return _publications(result)
