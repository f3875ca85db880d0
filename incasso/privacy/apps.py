from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "incasso.privacy"
    label = "privacy"
    verbose_name = "Privacy"
