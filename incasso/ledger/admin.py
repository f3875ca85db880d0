# The admin base classes are generic only to mypy: Django cannot subscript them at runtime, hence the ignores.
"""Read-only views of the ledger for finance and auditors. Nothing is added, changed or deleted here: postings
come from the services, and the database refuses any change to what was posted anyway."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from incasso.core.admin import ReadOnlyAdmin
from incasso.ledger.models import Account, Entry, LedgerTransaction, PaymentAllocation, Payout


class EntryInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Entry
    fields = readonly_fields = ("account", "amount_cents")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "kind", "client", "case", "created_at"]
    list_filter = ["kind"]
    search_fields = ["=code"]
    list_select_related = ["client", "case"]


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["idempotency_key", "kind", "booked_on", "description", "reverses", "created_at"]
    list_filter = ["kind", "booked_on"]
    search_fields = ["=idempotency_key", "source_ref"]
    inlines = [EntryInline]


@admin.register(PaymentAllocation)
class PaymentAllocationAdmin(ReadOnlyAdmin):
    list_display = [
        "transaction",
        "case",
        "received_on",
        "amount_cents",
        "to_costs_cents",
        "to_interest_cents",
        "to_principal_cents",
        "overpayment_cents",
    ]
    list_select_related = ["transaction", "case"]
    search_fields = ["=case__number", "reference"]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["client", "period_start", "period_end", "gross_cents", "commission_cents", "net_cents"]
    list_filter = ["client"]
    list_select_related = ["client"]
