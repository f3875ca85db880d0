"""``LocalPaymentProvider``: a payment provider on 127.0.0.1 that speaks the REST protocol ``rest.py`` speaks.

For tests and local runs. Payments live in memory; a test moves them on (``mark_paid``, ``mark_failed``, ...) and
the double then calls the payment's webhook the way providers do: ``POST`` with the form field ``id`` and nothing
else, so the receiver has to fetch the status back. ``fail_next`` makes the next requests answer with an HTTP
error and ``delay_seconds`` slows every answer, to exercise the adapter's retries and timeouts. The server itself is
``incasso.core.http_double``.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from incasso.core.http_double import LocalHttpDouble, Request, Response, json_response
from incasso.paylinks.provider import ProviderStatus
from incasso.paylinks.rest import RestPaymentProvider

WebhookSender = Callable[[str, str], None]
_AMOUNT = re.compile(r"^\d+\.\d{2}$")
_METHODS = frozenset({"ideal", "creditcard"})
_HAL_JSON = "application/hal+json"


def post_webhook(url: str, payment_id: str) -> None:
    """What a provider does: POST ``id=<payment id>`` as a form to the payment's webhook URL."""
    httpx.post(url, data={"id": payment_id}, timeout=5.0)


@dataclass
class StoredPayment:
    id: str
    amount: dict[str, str]
    description: str
    redirect_url: str
    webhook_url: str
    method: str
    metadata: Any
    created_at: datetime.datetime
    status: ProviderStatus = ProviderStatus.OPEN
    paid_at: datetime.datetime | None = None
    idempotency_key: str | None = None
    webhook_calls: int = field(default=0)
    charged_back: dict[str, str] | None = None

    def as_json(self, base_url: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "resource": "payment",
            "id": self.id,
            "mode": "test",
            "status": self.status.value,
            "amount": self.amount,
            "description": self.description,
            "method": self.method,
            "metadata": self.metadata,
            "createdAt": self.created_at.isoformat(),
            "redirectUrl": self.redirect_url,
            "webhookUrl": self.webhook_url,
            "_links": {"self": {"href": f"{base_url}/v2/payments/{self.id}"}},
        }
        if self.paid_at is not None:
            body["paidAt"] = self.paid_at.isoformat()
        if self.charged_back is not None:
            body["amountChargedBack"] = self.charged_back
            body["_links"]["chargebacks"] = {"href": f"{base_url}/v2/payments/{self.id}/chargebacks"}
        if self.status in (ProviderStatus.OPEN, ProviderStatus.PENDING):
            body["_links"]["checkout"] = {"href": f"{base_url}/checkout/{self.id}"}
        return body


class LocalPaymentProvider(LocalHttpDouble):
    """A threaded HTTP server with a Mollie-shaped payments API. Use as a context manager, or ``start``/``stop``."""

    def __init__(self, *, api_key: str = "test_local_key", webhook_sender: WebhookSender = post_webhook) -> None:
        super().__init__()
        self.api_key = api_key
        self.webhook_sender = webhook_sender
        self.payments: dict[str, StoredPayment] = {}
        self._ids = itertools.count(1)

    @property
    def requests(self) -> list[tuple[str, str]]:
        """The API requests so far (method, path with query); visits to the checkout page are not API requests."""
        return [(request.method, request.target) for request in self.recorded if not _is_checkout(request)]

    def adapter(self, **options: Any) -> RestPaymentProvider:
        """The real REST adapter pointed at this double (no back-off sleeping unless asked)."""
        options.setdefault("sleep", lambda _seconds: None)
        return RestPaymentProvider(base_url=self.url, api_key=self.api_key, **options)

    def fail_next(self, *status_codes: int) -> None:
        """Answer the next requests with these HTTP statuses, one each, before behaving again."""
        with self._lock:
            self.failures.extend(status_codes)

    def set_status(
        self, payment_id: str, status: ProviderStatus, *, paid_at: datetime.datetime | None = None, notify: bool = True
    ) -> None:
        with self._lock:
            payment = self.payments[payment_id]
            payment.status = status
            if status is ProviderStatus.PAID:
                payment.paid_at = paid_at or datetime.datetime.now(datetime.UTC)
        if notify:
            self.notify(payment_id)

    def mark_paid(self, payment_id: str, *, paid_at: datetime.datetime | None = None, notify: bool = True) -> None:
        self.set_status(payment_id, ProviderStatus.PAID, paid_at=paid_at, notify=notify)

    def mark_failed(self, payment_id: str, *, notify: bool = True) -> None:
        self.set_status(payment_id, ProviderStatus.FAILED, notify=notify)

    def mark_expired(self, payment_id: str, *, notify: bool = True) -> None:
        self.set_status(payment_id, ProviderStatus.EXPIRED, notify=notify)

    def charge_back(self, payment_id: str, *, value: str | None = None, notify: bool = True) -> None:
        """The payer's bank takes the money back (all of it unless ``value`` says how much); the status stays paid."""
        with self._lock:
            payment = self.payments[payment_id]
            if payment.status is not ProviderStatus.PAID:
                raise ValueError(f"payment {payment_id} is not paid: nothing to charge back")
            payment.charged_back = {"currency": payment.amount["currency"], "value": value or payment.amount["value"]}
        if notify:
            self.notify(payment_id)

    def notify(self, payment_id: str) -> None:
        """Call the payment's webhook, as the provider does after every status change."""
        payment = self.payments[payment_id]
        payment.webhook_calls += 1
        self.webhook_sender(payment.webhook_url, payment_id)

    # --- the HTTP side, called from the server's threads ---

    def failure_response(self, status: int) -> Response:
        return json_response(status, _error(status, "injected failure"), content_type=_HAL_JSON)

    def respond(self, request: Request) -> Response:
        if _is_checkout(request):
            return Response(200, b"<html><body>Local checkout</body></html>", "text/html")
        status, payload = self._answer(request)
        return json_response(status, payload, content_type=_HAL_JSON)

    def _answer(self, request: Request) -> tuple[int, dict[str, Any]]:
        method, path = request.method, request.target
        with self._lock:
            if request.headers.get("authorization") != f"Bearer {self.api_key}":
                return 401, _error(401, "Missing authentication, or failed to authenticate")
            if method == "POST" and path == "/v2/payments":
                return self._create(request)
            match = re.fullmatch(r"/v2/payments/([A-Za-z0-9_]+)", path)
            if method == "GET" and match:
                payment = self.payments.get(match.group(1))
                if payment is None:
                    return 404, _error(404, "No payment exists with token " + match.group(1))
                return 200, payment.as_json(self.url)
            return 404, _error(404, f"no route {method} {path}")

    def _create(self, request: Request) -> tuple[int, dict[str, Any]]:
        key = request.headers.get("idempotency-key")
        if key:
            for existing in self.payments.values():
                if existing.idempotency_key == key:
                    return 201, existing.as_json(self.url)
        try:
            body = request.json()
        except ValueError:
            return 400, _error(400, "the body is not valid JSON")
        if not isinstance(body, dict):
            return 400, _error(400, "the body must be a JSON object")
        amount = body.get("amount")
        if (
            not isinstance(amount, dict)
            or amount.get("currency") != "EUR"
            or not _AMOUNT.match(str(amount.get("value", "")))
        ):
            return 422, _error(422, "The amount is invalid", "amount")
        if amount["value"] == "0.00":
            return 422, _error(422, "The amount is lower than minimum", "amount")
        for name in ("description", "redirectUrl", "webhookUrl"):
            if not isinstance(body.get(name), str) or not body[name]:
                return 422, _error(422, f"The {name} is required", name)
        if body.get("method") not in _METHODS:
            return 422, _error(422, "The payment method is invalid", "method")
        payment = StoredPayment(
            id=f"tr_local{next(self._ids):06d}",
            amount={"currency": "EUR", "value": amount["value"]},
            description=body["description"],
            redirect_url=body["redirectUrl"],
            webhook_url=body["webhookUrl"],
            method=body["method"],
            metadata=body.get("metadata"),
            created_at=datetime.datetime.now(datetime.UTC),
            idempotency_key=key,
        )
        self.payments[payment.id] = payment
        return 201, payment.as_json(self.url)


def _is_checkout(request: Request) -> bool:
    """The checkout page the payer's browser opens: HTML, not the API."""
    return request.method == "GET" and request.target.startswith("/checkout/")


def _error(status: int, detail: str, field_name: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "title": "Error", "detail": detail}
    if field_name:
        body["field"] = field_name
    return body
