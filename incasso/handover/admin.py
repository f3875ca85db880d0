from __future__ import annotations

from django.contrib import admin

from incasso.core.admin import ReadOnlyAdmin
from incasso.handover.models import Handover, HandoverRecipient


@admin.register(HandoverRecipient)
class HandoverRecipientAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "role", "recipient", "host", "active"]


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["package_name", "case", "handover_recipient", "status", "sent_at", "status_at"]
