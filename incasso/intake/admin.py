# The admin base classes are generic only to mypy: Django cannot subscript them at runtime, hence the ignores.
"""Read-only views of intake for staff: imports and their rejected rows, API keys, credit notes.

Keys are issued with ``incasso api-key-create`` (the only moment a key is shown); revoking one here is allowed.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from incasso.core.admin import ReadOnlyAdmin
from incasso.intake.models import ClaimCredit, ClientApiKey, ImportBatch
from incasso.intake.services import api_key_revoke


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "client",
        "source",
        "file_format",
        "filename",
        "status",
        "created_count",
        "duplicate_count",
        "rejected_count",
    ]
    list_filter = ["status", "source", "file_format", "client"]
    search_fields = ["=sha256", "filename"]
    list_select_related = ["client"]


@admin.register(ClientApiKey)
class ClientApiKeyAdmin(ReadOnlyAdmin):
    list_display = ["name", "client", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["client"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ClientApiKey]) -> None:
        for api_key in queryset:
            api_key_revoke(api_key=api_key)


@admin.register(ClaimCredit)
class ClaimCreditAdmin(ReadOnlyAdmin):
    list_display = ["credit_note_number", "client", "claim", "amount_cents", "credited_on"]
    search_fields = ["=credit_note_number", "=claim__invoice_number"]
    raw_id_fields = ["claim", "client", "batch"]
