from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "incasso.intake"
    label = "intake"
