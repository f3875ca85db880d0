# The admin base classes are generic only to mypy: Django cannot subscript them at runtime, hence the ignores.
from __future__ import annotations

from django.contrib import admin

from incasso.parties.models import Client, Debtor


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "kind", "vat_deductible", "created_at"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "kvk_number"]


@admin.register(Debtor)
class DebtorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["reference", "display_name", "kind", "client", "city"]
    list_filter = ["kind", "client"]
    # Exact matches only: these become blind-index lookups once personal data is encrypted (P-3).
    search_fields = ["=reference", "=postcode", "=iban", "=email"]
    list_select_related = ["client"]
    raw_id_fields = ["client"]
