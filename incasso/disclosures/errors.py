from __future__ import annotations


class TransferRefused(Exception):
    """A disclosure to a recipient outside the EEA without an adequacy decision or safeguards on file (P-8)."""


class BreachStateError(Exception):
    """A breach step that cannot be taken now (closing a high-risk breach before the subjects were told, ...)."""
