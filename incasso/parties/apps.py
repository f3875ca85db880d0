from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "incasso.parties"
    label = "parties"
