"""Reads of the payments app."""

from __future__ import annotations

from django.db.models import QuerySet

from incasso.payments.models import EntryStatus, StatementEntry, StatementImport


def unmatched_entries() -> QuerySet[StatementEntry]:
    """The finance queue: entries no rule could put on a case, oldest first (the partial index serves it)."""
    return (
        StatementEntry.objects.filter(status=EntryStatus.UNMATCHED)
        .select_related("statement_import")
        .order_by("booking_date", "pk")
    )


def statement_imports(*, limit: int = 50) -> list[StatementImport]:
    """The most recent statement imports, newest first."""
    return list(StatementImport.objects.order_by("-created_at", "-pk")[:limit])
