from django.contrib import admin

from incasso.core.admin import ReadOnlyAdmin
from incasso.webhooks.models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ("url", "client", "created_at", "disabled_at")
    exclude = ("secret",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("event", "endpoint", "status", "attempts", "created_at", "delivered_at")
    list_filter = ("status", "event")
