from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "incasso.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
