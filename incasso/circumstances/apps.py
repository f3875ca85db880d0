from django.apps import AppConfig


class CircumstancesConfig(AppConfig):
    name = "incasso.circumstances"
    label = "circumstances"
    verbose_name = "The debtor's circumstances"
