"""``RestPaymentProvider``: the provider port over a Mollie-shaped REST API (``POST /v2/payments`` and
``GET /v2/payments/{id}``).

Every request has a timeout; a timeout, a connection error, HTTP 429 or a 5xx is retried with exponential back-off,
and a create carries an ``Idempotency-Key`` so a retried create cannot make a second payment. Any other 4xx is the
provider refusing the request and is raised at once with the provider's own explanation.
"""

from __future__ import annotations

import datetime
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from django.conf import settings

from incasso.domain.money import Money, MoneyError
from incasso.paylinks.provider import (
    Method,
    PaymentProviderError,
    ProviderPayment,
    ProviderRejected,
    ProviderResponseInvalid,
    ProviderStatus,
    ProviderUnavailable,
)

# Connecting should be quick; a provider that has accepted the connection may take a little longer to answer.
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF_SECONDS = 0.5
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


def _setting(name: str) -> str:
    value = getattr(settings, name, "")  # declared in config/settings.py, read from the environment there
    if not isinstance(value, str) or not value:
        raise PaymentProviderError(f"{name} is not set: the payment provider cannot be reached")
    return value


def _value(amount: Money) -> dict[str, str]:
    return {"currency": amount.currency, "value": f"{amount.amount:.2f}"}


def _payment(body: Any) -> ProviderPayment:
    """A payment from the provider's JSON; anything unexpected is ``ProviderResponseInvalid``, never a KeyError."""
    try:
        payment_id = body["id"]
        status = ProviderStatus(body["status"])
        amount = Money.parse(str(body["amount"]["value"]), str(body["amount"]["currency"]))
        checkout = ((body.get("_links") or {}).get("checkout") or {}).get("href")
        paid_at_text = body.get("paidAt")
        paid_at = datetime.datetime.fromisoformat(paid_at_text) if paid_at_text else None
        charged = body.get("amountChargedBack")
        charged_back = Money.parse(str(charged["value"]), str(charged["currency"])) if charged else None
    except (KeyError, TypeError, ValueError, MoneyError, AttributeError) as exc:
        raise ProviderResponseInvalid(f"the payment provider sent an unreadable payment: {exc!r}") from exc
    if not isinstance(payment_id, str) or not payment_id:
        raise ProviderResponseInvalid("the payment provider sent a payment without an id")
    if paid_at is not None and paid_at.tzinfo is None:
        raise ProviderResponseInvalid(f"the payment provider sent paidAt without a time zone: {paid_at_text!r}")
    if status is ProviderStatus.PAID and paid_at is None:
        raise ProviderResponseInvalid(f"payment {payment_id} is paid but has no paidAt")
    if charged_back is not None and (
        status is not ProviderStatus.PAID or charged_back.is_negative() or charged_back.cents > amount.cents
    ):
        raise ProviderResponseInvalid(f"payment {payment_id} has an impossible amountChargedBack: {charged_back}")
    if charged_back is not None and charged_back.currency != amount.currency:
        raise ProviderResponseInvalid(f"payment {payment_id} was charged back in another currency")
    return ProviderPayment(
        payment_id, status, amount, checkout if isinstance(checkout, str) else None, paid_at, charged_back
    )


def _refusal(response: httpx.Response) -> ProviderRejected:
    try:
        body = response.json()
        message = str(body.get("detail") or body.get("title") or response.reason_phrase)
        if body.get("field"):
            message = f"{message} (field: {body['field']})"
    except (ValueError, AttributeError):
        message = response.text[:200] or response.reason_phrase
    return ProviderRejected(response.status_code, message)


class RestPaymentProvider:
    """A payment provider reached over HTTPS with a Bearer API key."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff_seconds: float = DEFAULT_BACKOFF_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.timeout = timeout
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            timeout=timeout,
        )

    @classmethod
    def from_settings(cls) -> RestPaymentProvider:
        """The provider configured by ``INCASSO_PAYMENT_PROVIDER_URL`` and ``INCASSO_PAYMENT_PROVIDER_KEY``.

        ``INCASSO_PAYMENT_PROVIDER_BACKOFF_SECONDS`` (optional) sets the first back-off; each retry doubles it.
        """
        backoff = getattr(settings, "INCASSO_PAYMENT_PROVIDER_BACKOFF_SECONDS", DEFAULT_BACKOFF_SECONDS)
        return cls(
            base_url=_setting("INCASSO_PAYMENT_PROVIDER_URL"),
            api_key=_setting("INCASSO_PAYMENT_PROVIDER_KEY"),
            backoff_seconds=float(backoff),
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RestPaymentProvider:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def create_payment(
        self,
        *,
        amount: Money,
        description: str,
        reference: str,
        redirect_url: str,
        webhook_url: str,
        method: Method,
        idempotency_key: str | None = None,
    ) -> ProviderPayment:
        body = {
            "amount": _value(amount),
            "description": description,
            "redirectUrl": redirect_url,
            "webhookUrl": webhook_url,
            "method": method,
            "metadata": {"reference": reference},
        }
        # One key for every attempt of this create: a retry after a lost answer returns the payment already made.
        # The caller's key also makes two creates of the same payment (a double click) one payment.
        headers = {"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
        return _payment(self._request("POST", "/v2/payments", json=body, headers=headers))

    def get_payment(self, payment_id: str) -> ProviderPayment:
        payment = _payment(self._request("GET", f"/v2/payments/{payment_id}"))
        if payment.id != payment_id:
            raise ProviderResponseInvalid(f"asked for payment {payment_id}, the provider sent {payment.id}")
        return payment

    def _request(self, method: str, path: str, *, json: Any = None, headers: dict[str, str] | None = None) -> Any:
        last_problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff_seconds * 2 ** (attempt - 1))
            try:
                response = self._client.request(method, path, json=json, headers=headers)
            except httpx.TransportError as exc:  # timeouts, refused and dropped connections
                last_problem = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code in _RETRY_STATUS:
                last_problem = f"HTTP {response.status_code}"
                continue
            if response.is_client_error:
                raise _refusal(response)
            if not response.is_success:
                raise ProviderResponseInvalid(f"unexpected HTTP {response.status_code} from the payment provider")
            try:
                return response.json()
            except ValueError as exc:
                raise ProviderResponseInvalid("the payment provider's answer is not JSON") from exc
        raise ProviderUnavailable(
            f"the payment provider did not answer {method} {path} after {self.retries + 1} attempts ({last_problem})"
        )
