# The admin base classes are generic only to mypy: Django cannot subscript them at runtime, hence the ignores.
from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from incasso.cases.models import Case, Claim


class ClaimInline(admin.TabularInline):  # type: ignore[type-arg]
    """Shows a case's claims; claims are added through intake, not typed in here."""

    model = Claim
    extra = 0
    fields = readonly_fields = (
        "invoice_number",
        "invoice_date",
        "due_date",
        "principal_cents",
        "currency",
        "description",
    )
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Case | None = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["number", "client", "debtor", "stage", "closed_reason", "opened_on", "closed_on"]
    list_filter = ["stage", "closed_reason", "client", "interest_kind"]
    search_fields = ["=number"]
    list_select_related = ["client", "debtor"]
    raw_id_fields = ["client", "debtor"]
    inlines = [ClaimInline]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["invoice_number", "client", "case", "invoice_date", "due_date", "principal_cents", "currency"]
    list_filter = ["client", "currency"]
    search_fields = ["=invoice_number", "=case__number"]
    list_select_related = ["client", "case"]
    raw_id_fields = ["case", "client"]
