from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "incasso.payments"
    label = "payments"
    verbose_name = "Payments"
