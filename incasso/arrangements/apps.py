from django.apps import AppConfig


class ArrangementsConfig(AppConfig):
    name = "incasso.arrangements"
    label = "arrangements"
