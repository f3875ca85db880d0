from django.apps import AppConfig


class ClientPortalConfig(AppConfig):
    name = "incasso.client_portal"
    label = "client_portal"
    verbose_name = "Client portal"
