from django.apps import AppConfig


class SensitiveConfig(AppConfig):
    name = "incasso.sensitive"
    label = "sensitive"
    verbose_name = "Special categories of personal data"
