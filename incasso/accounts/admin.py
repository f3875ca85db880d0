# The admin base classes are generic only to mypy: Django cannot subscript them at runtime, hence the ignores.
from __future__ import annotations

from django.contrib import admin

from incasso.accounts.models import ClientMembership, ConfidentialityStatement, Team


@admin.register(ClientMembership)
class ClientMembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "client", "created_at"]
    list_filter = ["client"]
    search_fields = ["=user__username", "=user__email"]
    list_select_related = ["user", "client"]
    raw_id_fields = ["user", "client"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Teams of collectors and the clients whose cases they work (``access.access_cases``)."""

    list_display = ["name", "created_at"]
    search_fields = ["name"]
    filter_horizontal = ["clients", "members"]


@admin.register(ConfidentialityStatement)
class ConfidentialityStatementAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A new version is published by adding it; staff accept it at their next page."""

    list_display = ["version", "published_at"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False  # an accepted text never changes: publish a new version instead
