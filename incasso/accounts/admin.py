# The admin base classes are generic only to mypy: Django cannot subscript them at runtime, hence the ignores.
from __future__ import annotations

from django.contrib import admin

from incasso.accounts.models import ClientMembership


@admin.register(ClientMembership)
class ClientMembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "client", "created_at"]
    list_filter = ["client"]
    search_fields = ["=user__username", "=user__email"]
    list_select_related = ["user", "client"]
    raw_id_fields = ["user", "client"]
