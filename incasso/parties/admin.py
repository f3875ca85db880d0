# The admin base classes are generic only to mypy: Django cannot subscript them at runtime, hence the ignores.
from __future__ import annotations

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from incasso.parties.models import Client, Debtor
from incasso.parties.selectors import blind_index_filled, debtor_index_values


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "kind", "vat_deductible", "created_at"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "kvk_number"]


@admin.register(Debtor)
class DebtorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["reference", "display_name", "kind", "client", "city"]
    list_filter = ["kind", "client"]
    # Exact matches only: the reference directly, IBAN, e-mail and postcode through their blind indexes (P-3).
    search_fields = ["=reference"]
    list_select_related = ["client"]
    raw_id_fields = ["client"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Debtor], search_term: str
    ) -> tuple[QuerySet[Debtor], bool]:
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            entries = debtor_index_values(iban=term, email=term, postcode=term)
            matching = Q()
            for column, entry in entries.items():
                matching |= Q(blind_index_filled(column), **{column: entry})
            found |= queryset.filter(matching)
        return found, duplicates
