"""``POST /api/v1/claims``: a client's systems submit a batch of claims, authenticated by the client's API key.

The body is a JSON list of flat claim objects whose keys are the CSV's English column names. It is parsed here
into raw rows and handed to the same intake service as the CSV and e-invoice doors, so every door accepts and
rejects alike; the Pydantic schemas below document the body in OpenAPI but do not validate it (a bad row must
be reported with its row number, not fail the whole batch).

Messages (row errors and refusals) are English unless the request's ``Accept-Language`` asks for a language we
speak (Dutch): a request without one gets English whatever the site's default, so the contract stays stable. A
refusal's ``error`` is a stable code whatever the language.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_noop as _noop
from django.utils.translation.trans_real import parse_accept_lang_header
from ninja import Router, Schema
from ninja.responses import Status
from ninja.security import APIKeyHeader, HttpBearer
from pydantic import ConfigDict, Field

from incasso.api.schemas import inline_json_schema
from incasso.intake.models import API_KEY_PREFIX_LENGTH, ImportFormat, ImportSource
from incasso.intake.rows import ROW_FIELDS, ClaimRow, DocumentKind, Params, RowError, message_render
from incasso.intake.services import api_key_authenticate, claims_import
from incasso.parties.models import Client

MAX_CLAIMS = 1_000
# Credit notes come in as e-invoices only, so the REST body has no field for the invoice a credit note corrects.
FIELDS = frozenset(ROW_FIELDS) - {"credited_invoice_number"}

router = Router(tags=["claims"])


class ClientKeyBearer(HttpBearer):
    """``Authorization: Bearer <key>``."""

    def authenticate(self, request: HttpRequest, token: str) -> Client | None:
        return api_key_authenticate(key=token)


class ClientKeyHeader(APIKeyHeader):
    """``X-API-Key: <key>``, for clients whose tooling cannot set an Authorization header."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Client | None:
        return api_key_authenticate(key=key or "")


Text = Field(default=None, max_length=255)


class ClaimIn(Schema):
    """One claim with its debtor. Keys and rules are those of the CSV format (docs/intake-formats.md)."""

    model_config = ConfigDict(extra="forbid")
    invoice_number: str = Field(examples=["F2026-0001"], description="unique per client: a repeat is a duplicate")
    invoice_date: str = Field(examples=["2026-01-15"], description="ISO 8601 date")
    due_date: str = Field(examples=["2026-02-14"], description="ISO 8601 date, not before the invoice date")
    amount: str = Field(pattern=r"^\d+(\.\d{1,2})?$", examples=["1250.00"], description="principal, > 0")
    currency: str | None = Field(default=None, examples=["EUR"], description="EUR only (the default)")
    description: str | None = Text
    interest: str | None = Field(default=None, description="statutory, commercial or none; default by debtor kind")
    claim_type: str | None = Field(
        default=None,
        examples=["purchase"],
        description="contract (default), purchase or energy: with debtor_kind it fixes the limitation period",
    )
    debtor_reference: str = Field(examples=["K-1001"], description="the client's customer number for the debtor")
    debtor_kind: str = Field(examples=["consumer"], description="consumer, sole_trader or company")
    given_names: str | None = Text
    surname: str | None = Field(default=None, description="required for a consumer or sole trader")
    organisation_name: str | None = Field(default=None, description="required for a company")
    date_of_birth: str | None = Field(default=None, description="ISO 8601 date; never for a company")
    street: str | None = Text
    house_number: str | None = Text
    postcode: str | None = Field(default=None, examples=["1012 AB"], description="checked when the country is NL")
    city: str | None = Text
    country: str | None = Field(default=None, examples=["NL"], description="ISO 3166 alpha-2, default NL")
    email: str | None = Text
    phone: str | None = Text
    iban: str | None = Field(default=None, examples=["NL91ABNA0417164300"])
    kvk_number: str | None = Field(default=None, examples=["12345678"])
    payment_terms_days: str | None = Field(default=None, description="only when due_date is absent")


class RejectedRowOut(Schema):
    row: int = Field(description="1 is the first claim of the list; 0 is the request as a whole")
    field: str
    error: str


class ImportSummaryOut(Schema):
    created: int
    duplicates: int = Field(
        description=(
            "claims this client submitted before, with the same debtor and the same amount or the amount its credit"
            " notes left (a changed one is rejected)"
        )
    )
    rejected: list[RejectedRowOut]


class ClaimsErrorOut(Schema):
    error: str
    message: str


def _row(position: int, item: Any) -> ClaimRow | RowError:
    if not isinstance(item, dict):
        return RowError(position, "row", _noop("is not a JSON object"))
    values: dict[str, str] = {}
    for key, value in item.items():
        if key not in FIELDS:
            return RowError(position, str(key), _noop("is not a known field"))
        if value is None:
            continue
        if not isinstance(value, str):
            return RowError(position, key, _noop("must be a string or a number"))
        values[key] = value
    return ClaimRow(position, DocumentKind.INVOICE, **values)


def _error(status: int, error: str, message: str, params: Params = ()) -> Status[dict[str, Any]]:
    """A refusal of the whole request: ``error`` a stable code, ``message`` in the active language."""
    return Status(status, {"error": error, "message": message_render(message, params, translate=True)})


def response_language(request: HttpRequest) -> str:
    """The language the caller's ``Accept-Language`` asks for, when we speak it; English otherwise (also when the
    header is absent: the site's default language, Dutch, is for people, not for programs)."""
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return "en"


@router.post(
    "/claims",
    auth=[ClientKeyBearer(), ClientKeyHeader()],
    response={200: ImportSummaryOut, 400: ClaimsErrorOut, 413: ClaimsErrorOut},
    summary="Submit a batch of claims for the client the API key belongs to",
    description=(
        f"A JSON list of at most {MAX_CLAIMS} claims. Every claim is validated on its own: good claims are "
        "stored, bad ones are listed in `rejected` with their row (1 = first claim), field and reason, and a "
        "claim whose invoice number the client submitted before is counted in `duplicates` and changes nothing "
        "(sent again with another amount or debtor reference it is rejected: an import never changes a claim). "
        "Debtors are matched by `debtor_reference` among this client's debtors only; claims of one debtor join "
        "the debtor's open case or open a new one. Amounts may be JSON strings or numbers, at most two decimals."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "array", "maxItems": MAX_CLAIMS, "items": inline_json_schema(ClaimIn)}
                }
            },
        }
    },
)
def claims_submit(request: HttpRequest) -> Status[dict[str, Any]]:
    client = getattr(request, "auth", None)
    assert isinstance(client, Client)  # noqa: S101 - the auth classes only ever resolve to a client
    with translation.override(response_language(request)):
        return _claims_submit(request, client)


def _claims_submit(request: HttpRequest, client: Client) -> Status[dict[str, Any]]:
    try:
        # Numbers are kept as their literal text, so 12.50 is never a float on its way to Money.parse.
        items = json.loads(request.body, parse_float=str, parse_int=str)
    except RequestDataTooBig:
        return _error(
            413,
            "too_large",
            _noop("the request body is too large: send at most %(limit)s claims per request"),
            (("limit", MAX_CLAIMS),),
        )
    except (ValueError, UnicodeDecodeError) as exc:
        return _error(400, "invalid_json", _noop("the body is not valid JSON: %(reason)s"), (("reason", str(exc)),))
    except RecursionError:
        # Thousands of nested brackets: no list of flat claims is ever that deep.
        return _error(400, "invalid_json", _noop("the body is not valid JSON: it is nested too deeply"))
    if not isinstance(items, list):
        return _error(400, "invalid_input", _noop("the body must be a JSON list of claims"))
    if len(items) > MAX_CLAIMS:
        return _error(
            413,
            "too_many_claims",
            _noop("%(count)s claims in one request; send at most %(limit)s per request"),
            (("count", len(items)), ("limit", MAX_CLAIMS)),
        )
    rows = [_row(position, item) for position, item in enumerate(items, start=1)]
    summary = claims_import(
        client=client,
        rows=rows,
        source=ImportSource.REST,
        file_format=ImportFormat.JSON,
        actor_name=_api_key_label(request),
    )
    return Status(200, summary.as_dict(translate=True))


def _api_key_label(request: HttpRequest) -> str:
    """Who submitted, for the cases' timeline: the key's public prefix, never the key itself."""
    key = request.headers.get("X-API-Key") or request.headers.get("Authorization", "").removeprefix("Bearer ")
    return f"API key {key.strip()[:API_KEY_PREFIX_LENGTH]}"
