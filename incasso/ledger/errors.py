"""Why a posting was refused. Every ledger error is a ``ValueError``: bad input, never a crash of the caller's job."""

from __future__ import annotations


class LedgerError(ValueError):
    """The ledger refuses this posting; the message says why."""


class UnbalancedTransaction(LedgerError):
    """The lines of a transaction do not sum to zero: money would be created or lost."""


class IdempotencyConflict(LedgerError):
    """The key was used before for a different posting; replaying a key must describe the same posting."""


class AlreadyReversed(LedgerError):
    """The transaction was reversed before under another key: a transaction is reversed at most once."""


class NothingToPayOut(LedgerError):
    """A client has no positive net amount to be paid out for the period."""


class NoPayoutAccount(LedgerError):
    """The client has no IBAN on file, so there is no account to pay a payout to; nothing was booked."""
