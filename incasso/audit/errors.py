"""Why an audit write was refused."""

from __future__ import annotations


class AuditOutsideTransaction(RuntimeError):
    """The audit row must commit or roll back with the change it records, so it is written in the same transaction."""
