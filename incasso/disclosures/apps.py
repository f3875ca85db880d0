from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "incasso.disclosures"
    label = "disclosures"
    verbose_name = "Recipients, disclosures and breaches"
