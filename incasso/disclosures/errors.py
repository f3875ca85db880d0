from __future__ import annotations


class TransferRefused(Exception):
    """A disclosure to a recipient outside the EEA without an adequacy decision or safeguards on file (P-8), or to
    a processor without a processor agreement in force that day (GDPR art. 28)."""


class SubjectRestricted(TransferRefused):
    """A disclosure about a data subject whose processing is restricted (GDPR art. 18): storage only, so nothing
    leaves the system unless it is needed for a legal claim (art. 18(2)). Logged like a refused transfer."""


class BreachStateError(Exception):
    """A breach step that cannot be taken now (closing a high-risk breach before the subjects were told, ...)."""
