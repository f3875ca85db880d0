"""Errors of the payment links."""

from __future__ import annotations

from incasso.domain.money import Money


class PaymentLinkError(Exception):
    """A payment link cannot be made or handled as asked."""


class PaymentLinkNotFound(PaymentLinkError):
    """No payment link has this provider payment id: a webhook for a payment we never made."""


class PaymentInProgress(PaymentLinkError):
    """A payment of the case is pending at the provider (the money may be on its way): a second link now could
    pay the same money twice. ``amount``: what is pending."""

    def __init__(self, amount: Money) -> None:
        super().__init__(f"a payment of {amount} is being processed")
        self.amount = amount


class PaidMeanwhile(PaymentLinkError):
    """An earlier link of the case turned out to be paid (it is booked now), so what is left to pay changed since
    the debtor last saw it. ``amount``: what came in."""

    def __init__(self, amount: Money) -> None:
        super().__init__(f"an earlier payment of {amount} came in")
        self.amount = amount


class EarlierLinksUnchecked(PaymentLinkError):
    """The case's earlier links could not be brought up to date (provider unreachable, booking refused): a new
    link might pay money that is already paid, so none is made."""
