from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "incasso.backups"
    label = "backups"
    verbose_name = "Backups"
