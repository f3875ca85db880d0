from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "incasso.web"
    label = "web"
