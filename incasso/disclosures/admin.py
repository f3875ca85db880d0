from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from incasso.core.admin import ReadOnlyAdmin
from incasso.disclosures.models import (
    Agreement,
    Breach,
    BreachNotification,
    BreachStep,
    Disclosure,
    Recipient,
    RefusedDisclosure,
)


class AgreementInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Agreement
    extra = 0


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "category", "country", "active"]
    list_filter = ["category", "country", "active"]
    search_fields = ["name"]
    inlines = [AgreementInline]


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "recipient", "purpose", "legal_basis", "actor_label"]
    list_filter = ["purpose", "recipient__category"]


@admin.register(RefusedDisclosure)
class RefusedDisclosureAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "recipient", "reason", "actor_label"]


class BreachStepInline(admin.TabularInline):  # type: ignore[type-arg]
    model = BreachStep
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "occurred_at", "actor_label", "details"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdmin):
    list_display = ["reference", "became_aware_at", "risk", "status", "authority_notified_at"]
    list_filter = ["status", "risk"]
    inlines = [BreachStepInline]


@admin.register(BreachNotification)
class BreachNotificationAdmin(ReadOnlyAdmin):
    list_display = ["breach", "client", "notified_at"]
