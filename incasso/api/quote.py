"""``POST /api/v1/quote``: the quote over HTTP, the same parser and calculation as ``incasso quote``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from incasso.api.schemas import InputErrorOut, QuoteIn, QuoteOut, inline_json_schema
from incasso.domain.quote import QuoteError
from incasso.domain.quote_io import loads, render_error
from incasso.legal.services import quote_document_calculate

router = Router(tags=["quote"])


@router.post(
    "/quote",
    response={200: QuoteOut, 422: InputErrorOut},
    summary="What a debtor owes on a date, and where each payment went",
    description=(
        "Interest (statutory BW 6:119 or commercial 6:119a, compounded yearly), collection costs on the WIK scale "
        "over the summed principal, and payments allocated costs, interest, principal (BW 6:44). Amounts are "
        "strings with two decimals. Invalid input gives 422 with the offending field."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline_json_schema(QuoteIn)}},
        }
    },
)
def quote(request: HttpRequest) -> Status[dict[str, Any]]:
    try:
        return Status(200, quote_document_calculate(loads(request.body)))
    except QuoteError as error:
        return Status(422, render_error(error))
