from django.apps import AppConfig


class PaylinksConfig(AppConfig):
    name = "incasso.paylinks"
    label = "paylinks"
    verbose_name = "Payment links"
