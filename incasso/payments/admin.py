# The admin base classes are generic only to mypy: Django cannot subscript them at runtime, hence the ignores.
"""Read-only views of bank statements for staff: each import with its counts, and every entry.

Nothing is edited here: an entry changes only through the services (matching by hand), which book the change in
the ledger in the same transaction.
"""

from __future__ import annotations

from django.contrib import admin

from incasso.core.admin import ReadOnlyAdmin
from incasso.payments.models import StatementEntry, StatementImport


@admin.register(StatementImport)
class StatementImportAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "filename",
        "file_format",
        "account_iban",
        "status",
        "entry_count",
        "matched_count",
        "unmatched_count",
        "returned_count",
        "duplicate_count",
        "skipped_count",
    ]
    list_filter = ["status", "file_format"]
    search_fields = ["filename", "sha256", "statement_id"]


@admin.register(StatementEntry)
class StatementEntryAdmin(ReadOnlyAdmin):
    list_display = ["booking_date", "amount_cents", "currency", "counterparty_name", "status", "match_rule", "case"]
    list_filter = ["status", "match_rule", "booking_date"]
    search_fields = ["entry_key", "end_to_end_id", "structured_reference", "bank_reference"]
    raw_id_fields = ["case", "statement_import", "original_entry", "matched_by"]
