"""Errors of the payment links."""


class PaymentLinkError(Exception):
    """A payment link cannot be made or handled as asked."""


class PaymentLinkNotFound(PaymentLinkError):
    """No payment link has this provider payment id: a webhook for a payment we never made."""
