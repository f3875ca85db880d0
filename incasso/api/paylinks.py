"""``POST /api/v1/payment-links/webhook``: the payment provider reports that a payment changed.

No authentication, as with the providers themselves: the body only names a payment, whose status is then
fetched back from the provider, so a forged call can change nothing the provider does not confirm.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest
from ninja import Form, Router, Schema
from ninja.responses import Status
from pydantic import Field

from incasso.api.schemas import RequestInvalidOut
from incasso.domain.quote import QuoteError
from incasso.ledger.errors import LedgerError
from incasso.paylinks.errors import PaymentLinkNotFound
from incasso.paylinks.models import PROVIDER_ID_LENGTH
from incasso.paylinks.provider import PaymentProviderError
from incasso.paylinks.rest import RestPaymentProvider
from incasso.paylinks.services import payment_link_sync

logger = logging.getLogger(__name__)
router = Router(tags=["payment links"])


class WebhookIn(Schema):
    id: str = Field(
        min_length=1, max_length=PROVIDER_ID_LENGTH, examples=["tr_WDqYK6vllg"], description="the provider's payment id"
    )


class WebhookOut(Schema):
    id: str = Field(description="the provider's payment id")
    status: str = Field(examples=["paid"], description="the status the provider reported when asked back")


class WebhookErrorOut(Schema):
    error: str
    message: str


def _error(status: int, error: str, message: str) -> Status[dict[str, Any]]:
    return Status(status, {"error": error, "message": message})


@router.post(
    "/payment-links/webhook",
    auth=None,
    response={
        200: WebhookOut,
        404: WebhookErrorOut,
        422: RequestInvalidOut,
        500: WebhookErrorOut,
        503: WebhookErrorOut,
    },
    summary="Webhook for the payment provider: a payment's status changed",
    description=(
        "Called by the payment provider with the form field `id` (the provider's payment id) whenever a payment "
        "changes. The body is not trusted: the status is fetched back from the provider, and a paid payment is "
        "booked to the case once, however often the webhook is delivered. 200 for a payment of ours; 404 for an "
        "id we never created; 503 when the provider could not be asked back and 500 when a paid payment could "
        "not be booked — both make the provider deliver the webhook again later."
    ),
)
def payment_link_webhook(request: HttpRequest, form: Form[WebhookIn]) -> Status[dict[str, Any]]:
    payment_id = form.id
    try:
        with RestPaymentProvider.from_settings() as provider:
            link = payment_link_sync(provider_payment_id=payment_id, provider=provider)
    except PaymentLinkNotFound:
        return _error(404, "unknown_payment", "no payment link has this id")
    except PaymentProviderError as exc:
        logger.warning("payment link %s: the provider could not be asked back: %s", payment_id, exc)
        return _error(503, "provider_unavailable", "the payment provider could not be asked; deliver again later")
    except (LedgerError, QuoteError):
        logger.exception("payment link %s: the paid payment could not be booked", payment_id)
        return _error(500, "booking_failed", "the payment could not be booked; deliver again later")
    return Status(200, {"id": link.provider_payment_id, "status": link.status})
