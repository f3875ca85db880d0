from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "incasso.integrations"
    label = "integrations"
    verbose_name = "Outside services"
