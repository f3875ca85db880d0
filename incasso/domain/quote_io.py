"""The quote's JSON form: strict parsing of a request and rendering of the result.

Shared by ``incasso quote`` and ``POST /api/v1/quote`` so both accept and reject exactly the same input and
name the same field in an error. Parse JSON with ``parse_float=Decimal`` (see :func:`loads`) so that no amount
ever passes through float.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from incasso.domain.date_range import EARLIEST_DATE, LATEST_DATE, date_plausible
from incasso.domain.interest import InterestKind
from incasso.domain.money import Money, MoneyError, parse_decimal_text
from incasso.domain.quote import ClaimInput, CostsInput, PaymentInput, Quote, QuoteError, QuoteRequest

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_CENTS = 100_000_000_000_000  # one trillion euro: beyond any real claim, and keeps the arithmetic bounded
MAX_ITEMS = 10_000

T = TypeVar("T")

_REQUEST_KEYS = {"interest", "as_of", "claims", "payments", "costs"}
_CLAIM_KEYS = {"id", "principal", "due_date", "interest_from"}
_PAYMENT_KEYS = {"date", "amount"}
_COSTS_KEYS = {"due_from", "vat_rate"}


def loads(text: str | bytes) -> Any:
    """Parse JSON text with exact decimals; a malformed document is a QuoteError on the whole document."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise QuoteError("$", f"not valid JSON: {exc}") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _object(value: Any, field: str, allowed: set[str], required: set[str]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise QuoteError(field or "$", "must be a JSON object")
    for key in value:
        if key not in allowed:
            raise QuoteError(f"{field}.{key}" if field else key, "unknown key")
    for key in sorted(required):
        if key not in value or value[key] is None:
            raise QuoteError(f"{field}.{key}" if field else key, "is required")
    return value


def _date(value: Any, field: str) -> date:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise QuoteError(field, "must be a date as YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise QuoteError(field, f"{value!r} is not a valid date") from None
    if not date_plausible(day):
        raise QuoteError(field, f"{value} is not between {EARLIEST_DATE} and {LATEST_DATE}")
    return day


def _money(value: Any, field: str) -> Money:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise QuoteError(field, 'must be an amount such as "12.50"')
    try:
        amount = Money.parse(value)
    except MoneyError as exc:
        raise QuoteError(field, str(exc)) from None
    if amount.is_negative():
        raise QuoteError(field, "must not be negative")
    if amount.cents > MAX_CENTS:
        raise QuoteError(field, "is larger than any claim this system accepts")
    return amount


def _rate(value: Any, field: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise QuoteError(field, 'must be a fraction such as "0.21"')
    try:
        rate = parse_decimal_text(value) if isinstance(value, str) else Decimal(value)
    except MoneyError:
        raise QuoteError(field, 'must be a fraction such as "0.21"') from None
    if not rate.is_finite() or not Decimal(0) <= rate < 1:
        raise QuoteError(field, "must be a fraction from 0 up to 1 (0.21 is 21%)")
    return rate


def _list(value: Any, field: str, parse: Callable[[Any, str], T]) -> tuple[T, ...]:
    if not isinstance(value, list):
        raise QuoteError(field, "must be a list")
    if len(value) > MAX_ITEMS:
        raise QuoteError(field, f"at most {MAX_ITEMS} items")
    return tuple(parse(item, f"{field}[{index}]") for index, item in enumerate(value))


def _claim(value: Any, field: str) -> ClaimInput:
    raw = _object(value, field, _CLAIM_KEYS, {"id", "principal", "due_date"})
    claim_id = raw["id"]
    if isinstance(claim_id, bool) or not isinstance(claim_id, str | int) or str(claim_id).strip() == "":
        raise QuoteError(f"{field}.id", "must be a non-empty string")
    interest_from = raw.get("interest_from")
    return ClaimInput(
        id=str(claim_id),
        principal=_money(raw["principal"], f"{field}.principal"),
        due_date=_date(raw["due_date"], f"{field}.due_date"),
        interest_from=None if interest_from is None else _date(interest_from, f"{field}.interest_from"),
    )


def _payment(value: Any, field: str) -> PaymentInput:
    raw = _object(value, field, _PAYMENT_KEYS, _PAYMENT_KEYS)
    return PaymentInput(date=_date(raw["date"], f"{field}.date"), amount=_money(raw["amount"], f"{field}.amount"))


def parse_quote_request(document: Any) -> QuoteRequest:
    """Turn a decoded JSON document into a QuoteRequest, or raise QuoteError naming the first bad field."""
    raw = _object(document, "", _REQUEST_KEYS, {"interest", "as_of", "claims"})
    try:
        interest = InterestKind(raw["interest"])
    except (ValueError, TypeError):
        raise QuoteError("interest", "must be one of statutory, commercial, none") from None
    costs = None
    if raw.get("costs") is not None:
        raw_costs = _object(raw["costs"], "costs", _COSTS_KEYS, {"due_from"})
        costs = CostsInput(
            due_from=_date(raw_costs["due_from"], "costs.due_from"),
            vat_rate=_rate(raw_costs.get("vat_rate"), "costs.vat_rate"),
        )
    payments = raw.get("payments")
    return QuoteRequest(
        interest=interest,
        as_of=_date(raw["as_of"], "as_of"),
        claims=_list(raw["claims"], "claims", _claim),
        payments=() if payments is None else _list(payments, "payments", _payment),
        costs=costs,
    )


def render_quote(quote: Quote) -> dict[str, Any]:
    """The output document: amounts as strings with two decimals, dates in ISO 8601."""
    return {
        "as_of": quote.as_of.isoformat(),
        "claims": [
            {
                "id": claim.id,
                "principal_outstanding": str(claim.principal_outstanding),
                "interest_outstanding": str(claim.interest_outstanding),
            }
            for claim in quote.claims
        ],
        "costs": None
        if quote.costs is None
        else {"amount": str(quote.costs.amount), "outstanding": str(quote.costs.outstanding)},
        "payments": [
            {
                "date": payment.date.isoformat(),
                "amount": str(payment.amount),
                "to_costs": str(payment.to_costs),
                "to_interest": str(payment.to_interest),
                "to_principal": str(payment.to_principal),
                "overpayment": str(payment.overpayment),
            }
            for payment in quote.payments
        ],
        "total_outstanding": str(quote.total_outstanding),
        "warnings": list(quote.warnings),
    }


def render_error(error: QuoteError) -> dict[str, str]:
    return {"error": "invalid_input", "field": error.field, "message": error.message}
