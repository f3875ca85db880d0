"""``LocalPaymentProvider``: a payment provider on 127.0.0.1 that speaks the REST protocol ``rest.py`` speaks.

For tests and local runs. Payments live in memory; a test moves them on (``mark_paid``, ``mark_failed``, ...) and
the double then calls the payment's webhook the way providers do: ``POST`` with the form field ``id`` and nothing
else, so the receiver has to fetch the status back. ``fail_next`` makes the next requests answer with an HTTP
error and ``delay_seconds`` slows every answer, to exercise the adapter's retries and timeouts.
"""

from __future__ import annotations

import datetime
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import httpx

from incasso.paylinks.provider import ProviderStatus
from incasso.paylinks.rest import RestPaymentProvider

WebhookSender = Callable[[str, str], None]
_AMOUNT = re.compile(r"^\d+\.\d{2}$")
_METHODS = frozenset({"ideal", "creditcard"})


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


class LocalPaymentProvider:
    """A threaded HTTP server with a Mollie-shaped payments API. Use as a context manager, or ``start``/``stop``."""

    def __init__(self, *, api_key: str = "test_local_key", webhook_sender: WebhookSender = post_webhook) -> None:
        self.api_key = api_key
        self.webhook_sender = webhook_sender
        self.payments: dict[str, StoredPayment] = {}
        self.requests: list[tuple[str, str]] = []
        self.delay_seconds = 0.0
        self._failures: list[int] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LocalPaymentProvider:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="local-payment-provider", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LocalPaymentProvider:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def adapter(self, **options: Any) -> RestPaymentProvider:
        """The real REST adapter pointed at this double (no back-off sleeping unless asked)."""
        options.setdefault("sleep", lambda _seconds: None)
        return RestPaymentProvider(base_url=self.url, api_key=self.api_key, **options)

    def fail_next(self, *status_codes: int) -> None:
        """Answer the next requests with these HTTP statuses, one each, before behaving again."""
        with self._lock:
            self._failures.extend(status_codes)

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

    def _answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        with self._lock:
            self.requests.append((method, path))
            if self._failures:
                code = self._failures.pop(0)
                return code, _error(code, "injected failure")
            if headers.get("authorization") != f"Bearer {self.api_key}":
                return 401, _error(401, "Missing authentication, or failed to authenticate")
            if method == "POST" and path == "/v2/payments":
                return self._create(headers, body)
            match = re.fullmatch(r"/v2/payments/([A-Za-z0-9_]+)", path)
            if method == "GET" and match:
                payment = self.payments.get(match.group(1))
                if payment is None:
                    return 404, _error(404, "No payment exists with token " + match.group(1))
                return 200, payment.as_json(self.url)
            return 404, _error(404, f"no route {method} {path}")

    def _create(self, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        key = headers.get("idempotency-key")
        if key:
            for existing in self.payments.values():
                if existing.idempotency_key == key:
                    return 201, existing.as_json(self.url)
        try:
            body = json.loads(raw)
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


def _error(status: int, detail: str, field_name: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "title": "Error", "detail": detail}
    if field_name:
        body["field"] = field_name
    return body


def _handler_for(provider: LocalPaymentProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            if method == "GET" and self.path.startswith("/checkout/"):
                self._send(200, b"<html><body>Local checkout</body></html>", "text/html")
                return
            status, payload = provider._answer(method, self.path, headers, body)
            self._send(status, json.dumps(payload).encode(), "application/hal+json")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test): nobody to answer

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: a test's output is not the place for an access log."""

    return Handler
