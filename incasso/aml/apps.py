from django.apps import AppConfig


class AmlConfig(AppConfig):
    name = "incasso.aml"
    label = "aml"
    verbose_name = "AML and acceptance checks"
