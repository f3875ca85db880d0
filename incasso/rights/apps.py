from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "incasso.rights"
    label = "rights"
    verbose_name = "Data-subject rights"
