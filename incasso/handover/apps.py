from django.apps import AppConfig


class HandoverConfig(AppConfig):
    name = "incasso.handover"
    label = "handover"
    verbose_name = "Hand-overs"
