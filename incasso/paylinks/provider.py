"""The payment-provider port: what the payment links need from a provider, whichever provider it is.

Adapters: ``rest.RestPaymentProvider`` (a Mollie-shaped REST API over HTTPS) and, for tests and local runs,
``testing.LocalPaymentProvider``, an HTTP server that speaks the same protocol.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, Protocol

from incasso.domain.money import Money

Method = Literal["ideal", "creditcard"]


class ProviderStatus(StrEnum):
    """A payment's status at the provider. Only ``paid`` means money; the last three are final without it."""

    OPEN = "open"
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELED = "canceled"


@dataclass(frozen=True, slots=True)
class ProviderPayment:
    """A payment as the provider reports it. ``checkout_url`` is where the debtor pays (None once it is over).

    ``charged_back``: what the payer's bank or card issuer took back after the payment was paid (the status stays
    ``paid``, as with Mollie's ``amountChargedBack``); None when nothing was.
    """

    id: str
    status: ProviderStatus
    amount: Money
    checkout_url: str | None = None
    paid_at: datetime.datetime | None = None
    charged_back: Money | None = None


class PaymentProviderError(Exception):
    """The provider could not be asked, or answered something we cannot use."""


class ProviderRejected(PaymentProviderError):
    """The provider refused the request (HTTP 4xx): retrying the same request will not help."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(f"the payment provider refused the request (HTTP {status_code}): {message}")
        self.status_code = status_code


class ProviderUnavailable(PaymentProviderError):
    """The provider did not answer usefully (timeouts, connection errors, HTTP 5xx) after every retry."""


class ProviderResponseInvalid(PaymentProviderError):
    """The provider answered with a body that is not the payment we asked about."""


class PaymentProvider(Protocol):
    """Create a payment the debtor completes on the provider's checkout page, and read its status back."""

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
    ) -> ProviderPayment: ...

    def get_payment(self, payment_id: str) -> ProviderPayment: ...
