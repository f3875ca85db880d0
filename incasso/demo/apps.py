from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "incasso.demo"
    label = "demo"
