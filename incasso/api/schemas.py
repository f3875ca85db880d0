"""Documentation schemas of the API: they describe the JSON in the OpenAPI document.

The quote's input is parsed by ``incasso.domain.quote_io`` (the same parser as the CLI), so its schema here is
documentation only and the parser's errors are the API's errors.
"""

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

Amount = Field(pattern=r"^\d+(\.\d{1,2})?$", examples=["1500.00"])


class QuoteClaimIn(Schema):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, examples=["A"])
    principal: str = Amount
    due_date: str = Field(description="ISO 8601 date", examples=["2023-03-01"])
    interest_from: str | None = Field(
        default=None, description="interest anchor when it differs from the due date (consumer default date)"
    )


class QuotePaymentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    date: str = Field(description="ISO 8601 date, not after as_of")
    amount: str = Amount


class QuoteCostsIn(Schema):
    model_config = ConfigDict(extra="forbid")
    due_from: str = Field(description="the day the collection costs become due (ISO 8601)")
    vat_rate: str | None = Field(default=None, examples=["0.21"], description="VAT uplift when not deductible")


class QuoteIn(Schema):
    model_config = ConfigDict(extra="forbid")
    interest: Literal["statutory", "commercial", "none"]
    as_of: str = Field(description="ISO 8601 date of the quote")
    claims: list[QuoteClaimIn] = Field(min_length=1)
    payments: list[QuotePaymentIn] = []
    costs: QuoteCostsIn | None = None


class QuoteClaimOut(Schema):
    id: str
    principal_outstanding: str
    interest_outstanding: str


class QuoteCostsOut(Schema):
    amount: str
    outstanding: str


class QuotePaymentOut(Schema):
    date: str
    amount: str
    to_costs: str
    to_interest: str
    to_principal: str
    overpayment: str


class QuoteOut(Schema):
    as_of: str
    claims: list[QuoteClaimOut]
    costs: QuoteCostsOut | None
    payments: list[QuotePaymentOut]
    total_outstanding: str
    warnings: list[str]


class InputErrorOut(Schema):
    error: Literal["invalid_input"]
    field: str = Field(description="the offending input, e.g. claims[0].principal")
    message: str


def inline_json_schema(model: type[Schema]) -> dict[str, Any]:
    """The model's JSON schema with its ``$defs`` inlined, for use inside an OpenAPI request body."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


class RequestInvalidOut(Schema):
    """The answer (422) when parameters or a form do not fit this document, before any of our code runs."""

    detail: list[dict[str, Any]] = Field(
        description='one item per problem: `type`, `loc` (where, e.g. ["query", "open"]) and `msg`'
    )
