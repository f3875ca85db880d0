from django.contrib import admin

from incasso.core.admin import ReadOnlyAdmin
from incasso.rights.models import RightsRequest


@admin.register(RightsRequest)
class RightsRequestAdmin(ReadOnlyAdmin):
    """Read-only: every change to a request is a service that writes its history and audit event."""

    list_display = ("reference", "kind", "channel", "status", "due_on", "extended_to")
    list_filter = ("status", "kind", "channel")
    search_fields = ("reference",)
